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
        self.register_enrolment_owner()
        from linli.core.certificates import register_kind

        from .actions.certificates import CERTIFICATE_KIND, CERTIFICATE_PREFIX, can_manage_certificate

        register_kind(CERTIFICATE_KIND, prefix=CERTIFICATE_PREFIX, title=_("Volunteer service certificate"),
                      can_manage=can_manage_certificate)
        register_entry_source("activity", describe_activities)

    @staticmethod
    def register_enrolment_owner():
        """Activities are enrolment sessions: who runs them, who may sign up, what approving credits."""
        from datetime import timedelta

        from django.conf import settings
        from django.utils.translation import gettext_lazy as _

        from linli.enrolment.owners import register_owner

        from . import queries
        from .actions.activities import OWNER
        from .actions.attendance import credit_points
        from .actions.common import VolunteeringError
        from .actions.signups import check_eligible

        def can_organize(user, session):
            activity = getattr(session, "activity", session)
            return queries.can_manage_organization(user, activity.organization)

        register_owner(
            OWNER, can_organize=can_organize, error=VolunteeringError, check_eligible=check_eligible,
            on_hours_approved=credit_points,
            hours_grace=lambda: timedelta(minutes=settings.VOLUNTEER_HOURS_GRACE_MINUTES),
            words={
                "session_cancelled": ("activity_cancelled", _("This activity has been cancelled.")),
                "already_signed_up": ("already_signed_up", _("You have already signed up for this activity.")),
                "already_started": ("already_started", _("The activity has started; ask the leader instead.")),
                "not_signed_up": ("not_signed_up", _("You have no confirmed place in this activity.")),
                "not_confirmed": ("not_confirmed", _("Only confirmed volunteers can be marked present.")),
                "not_checked_out": ("not_checked_out", _("The volunteer has not checked out yet.")),
            })
