from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "linli.places"
    label = "places"
    verbose_name = _("Places")

    def ready(self):
        from linli.accounts.choices import Role
        from linli.core.scoping import register_capability

        # edit areas and grids, import boundaries
        register_capability("places.manage", {Role.SYSTEM_ADMIN}, guarded=True)
