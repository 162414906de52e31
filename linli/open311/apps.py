from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    name = "linli.open311"
    label = "open311"
    verbose_name = _("Partner platforms (Open311)")

    def ready(self):
        from linli.accounts.choices import Role
        from linli.core.query_guard import register_error_renderer
        from linli.core.registry import Tile, register_tiles

        def bad_request(request, message):
            from .errors import Open311Error
            from .render import error_response

            return error_response("xml" if request.path.endswith(".xml") else "json", Open311Error(400, message))

        register_error_renderer("/open311/", bad_request)

        register_tiles(Tile("open311.screening", _("Partner requests to screen"),
                            _("Open311 requests held until you file or reject them"), "审", "open311:screening",
                            frozenset({Role.COMMAND_CENTER}), order=50))
