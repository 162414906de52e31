from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.organization_list, name="organization_list"),
    path("network/", views.network, name="network"),
    path("network/<str:which>.xlsx", views.network_export, name="network_export"),
    path("<int:pk>/", views.organization_detail, name="organization_detail"),
]
