from django.urls import path

from . import feeds, views

app_name = "pages"

urlpatterns = [
    path("", views.home, name="home"),
    path("references/", views.references, name="references"),
    path("about/", views.about, name="about"),
    path("staying-safe/", views.staying_safe, name="staying_safe"),
    path("changes/", views.changes, name="changes"),
    path("changes/feed/", feeds.changes_feed, name="changes_feed"),
]
