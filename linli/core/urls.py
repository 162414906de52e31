from django.urls import include, path

from . import certificate_views

urlpatterns = [
    path("notifications/", include("linli.core.notification_urls")),
    path("certificates/check/<str:token>/", certificate_views.check_certificate, name="certificate_check"),
]
