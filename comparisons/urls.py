from django.urls import path

from . import views

app_name = "comparisons"

urlpatterns = [
    path("compare/", views.comparison_index, name="index"),
    path("compare/<slug:slug>/", views.comparison_detail, name="detail"),
    path("faq/", views.faq, name="faq"),
]
