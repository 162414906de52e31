from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceOrdersConfig(AppConfig):
    name = "linli.service_orders"
    label = "service_orders"
    verbose_name = _("Service orders")

    def ready(self):
        from . import notifications

        notifications.register()
