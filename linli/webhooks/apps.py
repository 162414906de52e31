from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "linli.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from . import handlers

        handlers.register()
