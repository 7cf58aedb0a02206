from django.urls import path

from . import values

app_name = "values"

urlpatterns = [
    path("compare/<slug:slug>/what-matters/", values.questions, name="questions"),
    path("compare/<slug:slug>/what-matters/answers/", values.answers, name="answers"),
    path("compare/<slug:slug>/what-matters/summary/", values.summary, name="summary"),
]
