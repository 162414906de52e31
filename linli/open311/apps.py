from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    name = "linli.open311"
    label = "open311"
    verbose_name = _("Partner platforms (Open311)")

    def ready(self):
        from linli.accounts.choices import Role
        from linli.core.registry import Tile, register_tiles

        register_tiles(Tile("open311.screening", _("Partner requests to screen"),
                            _("Open311 requests held until you file or reject them"), "审", "open311:screening",
                            frozenset({Role.COMMAND_CENTER}), order=50))
