from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "linli.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from linli.core.registry import register_demo

        register_demo("cases", "linli.cases.demo.load_cases", order=10)  # after the people
        self.register_tiles()
        from django.db.models.signals import post_delete, post_save

        from . import notifications, routing
        from .models import Category, RoutingRule

        notifications.register()
        for model in (Category, RoutingRule):
            post_save.connect(routing.invalidate_routing_config, sender=model, dispatch_uid=f"routing-{model.__name__}-save")
            post_delete.connect(routing.invalidate_routing_config, sender=model, dispatch_uid=f"routing-{model.__name__}-del")

    @staticmethod
    def register_tiles():
        def to_close_count(user):
            from .choices import CaseStatus
            from .queries import desk_for

            return desk_for(user).filter(status=CaseStatus.VERIFIED).count()

        from linli.accounts.choices import FIELD_ROLES, Role
        from linli.core.registry import RESIDENT, Tile, register_tiles
        from linli.core.scoping import CAPABILITIES, register_capability

        cc, cs = Role.COMMAND_CENTER, Role.COMMUNITY_STAFF
        # triage, dispatch, escalate, close (over the case's area)
        register_capability("cases.dispatch", {cc, cs, Role.SYSTEM_ADMIN})
        # verify a fix on site (over the case's grid); dispatchers hold it too: they may verify,
        # and may appoint grid workers
        register_capability("cases.verify", {
            Role.GRID_WORKER, Role.GRID_LEADER, Role.MOBILE_GRID_WORKER, cc, cs, Role.SYSTEM_ADMIN})
        # lead the grid workers of an area (网格长): see their load, reassign a verification
        register_capability("cases.lead_grid", {Role.GRID_LEADER, cc, cs, Role.SYSTEM_ADMIN})
        # sign, return, resolve, claim (over the unit's organization subtree)
        register_capability("cases.handle", {Role.DEPARTMENT_HANDLER, Role.ORG_ADMIN})
        register_tiles(
            Tile("cases.report", _("Snapshot report"),
                 _("Take a photo of a problem in your neighbourhood and send it to the community."), "拍",
                 "cases:report", frozenset({RESIDENT}), order=10),
            Tile("cases.mine", _("My reports"),
                 _("Problems you reported or follow, with their progress; rate them when they are done."), "进",
                 "cases:mine", frozenset({RESIDENT}), order=30),
            Tile("cases.patrol", _("Report from rounds"), _("Record what you find on your rounds, with photos and location."),
                 "巡", "cases:patrol", FIELD_ROLES, order=10),
            Tile("cases.grid_lead", _("My grid workers"),
                 _("Who has checks waiting, this week's patrols per grid, and sending a check to another worker"),
                 "长", "cases:grid_lead", frozenset({Role.GRID_LEADER}), order=5),
            Tile("cases.tasks", _("Verify fixes"), _("Check on site that reported problems were really fixed."), "核",
                 "cases:tasks", FIELD_ROLES, order=20),
            Tile("cases.dispatch_desk", _("Dispatch desk"), _("Triage, dispatch and chase cases"), "派", "cases:queue",
                 frozenset({cc}), order=10),
            Tile("cases.community_cases", _("Community cases"), _("Cases reported in your community"), "案",
                 "cases:queue", frozenset({cs}), order=10),
            Tile("cases.inbox", _("My work orders"), _("Cases dispatched to your unit"), "办", "cases:inbox",
                 frozenset({Role.DEPARTMENT_HANDLER, Role.ORG_ADMIN}), order=10),
            # Whoever may publish to the board, claim from it or watch it.
            Tile("cases.board", _("Claim board"), _("Published cases units can claim"), "榜", "cases:board",
                 CAPABILITIES["cases.handle"] | CAPABILITIES["cases.dispatch"], order=15),
            Tile("cases.to_close", _("Cases to close"),
                 _("Verified on site: call the reporter back, then close"), "结", "cases:queue",
                 frozenset({cc, cs}), order=12, query="status=verified", badge=to_close_count),
            Tile("cases.ledger", _("Ledger"), _("Collected and resolved cases of your area"), "账", "cases:ledger",
                 frozenset({cc, cs}), order=20),
            Tile("cases.walk_in", _("Walk-in or phone report"),
                 _("Register a case for a resident at the counter or on the phone"), "登", "cases:walk_in",
                 frozenset({cc, cs}), order=30),
        )
