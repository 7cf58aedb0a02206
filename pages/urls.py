from django.urls import path

from . import views

app_name = "pages"

urlpatterns = [
    path("", views.home, name="home"),
    path("references/", views.references, name="references"),
    path("about/", views.about, name="about"),
]
