from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "linli.hotline"
    label = "hotline"
    verbose_name = _("12345 hotline exchange")

    def ready(self):
        from linli.accounts.choices import Role
        from linli.core.registry import Tile, register_tiles

        register_tiles(Tile("hotline.index", _("12345 work orders"),
                            _("Import the hotline's work orders, send the results back"), "线", "hotline:index",
                            frozenset({Role.COMMAND_CENTER}), order=40))
