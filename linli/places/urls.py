from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("<str:code>/", views.area_detail, name="area_detail"),
]
