from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("notifications/", include("linli.core.notification_urls")),
]
