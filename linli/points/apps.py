from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "linli.points"
    label = "points"
    verbose_name = _("Points")

    def ready(self):
        from linli.core.registry import register_demo

        register_demo("points", "linli.points.demo.load_points", order=40)  # last: spends the points the two above posted
        from linli.accounts.choices import Role
        from linli.core.registry import RESIDENT, Tile, register_tiles
        from linli.core.scoping import register_capability

        # run a rewards shop: over the reward's community, or its provider's organization subtree
        register_capability("points.manage", {Role.COMMUNITY_STAFF, Role.ORG_ADMIN, Role.SYSTEM_ADMIN})

        register_tiles(
            Tile("points.shop", _("Rewards shop"), _("Spend the points you earned volunteering on rewards."), "兑",
                 "points:shop", frozenset({RESIDENT}), order=50),
            Tile("points.catalog", _("Rewards catalog"), _("Rewards of the points shop, stock and limits"), "兑",
                 "points:catalog", frozenset({Role.COMMUNITY_STAFF}), order=70),
            Tile("points.fulfil", _("Hand over by code"), _("Enter a resident's pickup code to hand a reward over"),
                 "核", "points:fulfil", frozenset({Role.COMMUNITY_STAFF}), order=75),
        )
        from . import notifications

        notifications.register()
