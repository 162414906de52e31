from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "linli.accounts"
    label = "accounts"
    verbose_name = _("People and roles")

    def ready(self):
        from linli.core.notify import register_sms_sender
        from linli.core.scoping import register_capability

        from .sms import clean_params, send_sms

        register_sms_sender(send_sms, clean_params)

        from . import audit, checks  # noqa: F401  (checks register themselves)
        from .choices import Role

        # see the area/organization trees and what lives under them
        register_capability("view", set(Role.values) - {Role.RESIDENT})
        # assign roles to people under a node
        register_capability("accounts.manage", {Role.SYSTEM_ADMIN, Role.COMMAND_CENTER}, guarded=True)
        # open a resident's full phone or ID number (each opening is recorded)
        register_capability("accounts.view_personal", {
            Role.COMMUNITY_STAFF, Role.COMMAND_CENTER, Role.GRID_WORKER, Role.SYSTEM_ADMIN}, guarded=True)

        audit.register()
