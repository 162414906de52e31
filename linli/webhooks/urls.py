from django.urls import path

from . import views

app_name = "webhooks"
urlpatterns = [
    path("", views.webhook_list, name="list"),
    path("add/", views.webhook_add, name="add"),
    path("<int:pk>/", views.webhook_detail, name="detail"),
    path("<int:pk>/deactivate/", views.webhook_deactivate, name="deactivate"),
    path("<int:pk>/rotate-secret/", views.webhook_rotate_secret, name="rotate_secret"),
    path("<int:pk>/deliveries/<int:delivery_pk>/redeliver/", views.delivery_redeliver, name="redeliver"),
]
