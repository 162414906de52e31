from django.urls import include, path

urlpatterns = [
    path("notifications/", include("linli.core.notification_urls")),
]
