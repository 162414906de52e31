from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "linli.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from linli.accounts.choices import Role
        from linli.core.registry import Tile, register_tiles

        register_tiles(Tile("webhooks.list", _("Webhooks"), _("Send your organization's case events to your own system"),
                            "接", "webhooks:list", frozenset({Role.ORG_ADMIN}), order=80))
        from . import handlers

        handlers.register()
