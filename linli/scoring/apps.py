from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "linli.scoring"
    label = "scoring"
    verbose_name = _("Scoring")

    def ready(self):
        from linli.accounts.choices import Role
        from linli.core.scoping import register_capability

        # run a scoring round (judging, a checklist, a star rating) of an organization in one's scope,
        # unless the round's owner registered its own rule (scoring.owners.register_owner)
        register_capability("scoring.organize", {Role.COMMUNITY_STAFF, Role.ORG_ADMIN, Role.SYSTEM_ADMIN})
