from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceOrdersConfig(AppConfig):
    name = "linli.service_orders"
    label = "service_orders"
    verbose_name = _("Service orders")

    def ready(self):
        from linli.points.queries import register_entry_source

        from .queries import describe_orders

        register_entry_source("service-order", describe_orders)

        from linli.accounts.choices import Role
        from linli.core.scoping import register_capability

        # see a community's orders and dispatch them to a team (over the order's area)
        register_capability("service_orders.dispatch", {Role.COMMUNITY_STAFF, Role.COMMAND_CENTER, Role.SYSTEM_ADMIN})
        from linli.core.registry import register_demo

        register_demo("service_orders", "linli.service_orders.demo.load_service_orders", order=30)  # after volunteering
        from linli.accounts.choices import Role
        from linli.core.registry import RESIDENT, Tile, register_tiles

        register_tiles(
            Tile("service_orders.menu", _("Order a service"),
                 _("Housekeeping, free clinics, haircuts and more from volunteer teams."), "单", "service_orders:menu",
                 frozenset({RESIDENT}), order=20),
            Tile("service_orders.dispatch", _("Service orders"),
                 _("Residents' service orders: dispatch to a team or publish them"), "单", "service_orders:dispatch",
                 frozenset({Role.COMMAND_CENTER, Role.COMMUNITY_STAFF}), order=60),
            Tile("service_orders.offerings", _("Our service menu"),
                 _("What the team offers residents, where and when"), "菜", "service_orders:offerings",
                 frozenset({Role.VOLUNTEER_TEAM_LEADER}), order=55),
            Tile("service_orders.team", _("Service orders"),
                 _("Grab orders, accept, assign volunteers, record hours"), "单", "service_orders:team",
                 frozenset({Role.VOLUNTEER_TEAM_LEADER}), order=60),
        )
        from . import notifications

        notifications.register()
