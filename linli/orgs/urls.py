from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("<int:pk>/", views.organization_detail, name="organization_detail"),
]
