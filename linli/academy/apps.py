from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AcademyConfig(AppConfig):
    name = "linli.academy"
    label = "academy"
    verbose_name = _("Academy")

    def ready(self):
        from linli.accounts.choices import Role
        from linli.core.scoping import register_capability
        from linli.enrolment.owners import register_owner

        from .actions import OWNER, can_organize_session, check_eligible

        # run a training program of an organization in one's scope
        register_capability("academy.organize", {Role.ORG_ADMIN, Role.COMMUNITY_STAFF, Role.SYSTEM_ADMIN})
        register_owner(OWNER, can_organize=can_organize_session, check_eligible=check_eligible,
                       words={"session_cancelled": ("session_cancelled", _("This class has been cancelled."))})
