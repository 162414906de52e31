from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "linli.orgs"
    label = "orgs"
    verbose_name = _("Organizations")

    def ready(self):
        from linli.accounts.choices import Role
        from linli.core.scoping import register_capability

        # edit organizations, memberships, pairings
        register_capability("orgs.manage", {Role.SYSTEM_ADMIN, Role.ORG_ADMIN}, guarded=True)
        from linli.core.registry import Tile, register_tiles

        register_tiles(
            Tile("orgs.network", _("Organization network"),
                 _("The organizations under yours, coverage, pairings and people holding several offices"), "网",
                 "orgs:network", frozenset({Role.ORG_ADMIN}), order=1),
        )
