from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "linli.volunteering"
    label = "volunteering"
    verbose_name = _("Volunteering")

    def ready(self):
        from linli.core.registry import register_demo

        register_demo("volunteering", "linli.volunteering.demo.load_volunteering", order=20)  # after the cases
        from linli.accounts.choices import Role
        from linli.core.registry import RESIDENT, Tile, register_tiles
        from linli.core.scoping import register_capability

        # run activities and teams: team leaders and organization admins over their organization's
        # subtree, system admins over their area's subtree
        register_capability("volunteering.manage", {Role.VOLUNTEER_TEAM_LEADER, Role.ORG_ADMIN, Role.SYSTEM_ADMIN})

        register_tiles(
            Tile("volunteering.index", _("Volunteer activities"),
                 _("Find activities near you, sign up, check in by scanning and see your hours."), "志",
                 "volunteering:index", frozenset({RESIDENT}), order=40),
            Tile("volunteering.manage", _("My activities"),
                 _("Create activities, show the check-in code, verify hours"), "志", "volunteering:manage",
                 frozenset({Role.VOLUNTEER_TEAM_LEADER}), order=10),
            Tile("volunteering.create", _("New activity"), _("Publish an activity with its venues and places"), "新",
                 "volunteering:create", frozenset({Role.VOLUNTEER_TEAM_LEADER}), order=20),
            Tile("volunteering.my_teams", _("My team"), _("Members, applications to join, invitations"), "队",
                 "volunteering:my_teams", frozenset({Role.VOLUNTEER_TEAM_LEADER}), order=5),
        )
        from linli.points.queries import register_entry_source

        from . import notifications
        from .queries import describe_activities

        notifications.register()
        from linli.core.certificates import register_kind

        from .actions.certificates import CERTIFICATE_KIND, CERTIFICATE_PREFIX, can_manage_certificate

        register_kind(CERTIFICATE_KIND, prefix=CERTIFICATE_PREFIX, title=_("Volunteer service certificate"),
                      can_manage=can_manage_certificate)
        register_entry_source("activity", describe_activities)
