from django.urls import path

from . import views

app_name = "hotline"
urlpatterns = [
    path("", views.index, name="index"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/mapping/", views.mapping, name="mapping"),
    path("jobs/<int:pk>/progress/", views.progress, name="progress"),
    path("jobs/<int:pk>/errors.xlsx", views.errors, name="errors"),
    path("jobs/<int:pk>/results.xlsx", views.export_job, name="export_job"),
    path("sources/<int:pk>/results.xlsx", views.export_source, name="export_source"),
]
