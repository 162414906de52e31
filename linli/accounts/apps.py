from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "linli.accounts"
    label = "accounts"
    verbose_name = _("People and roles")

    def ready(self):
        from . import audit, checks  # noqa: F401  (checks register themselves)

        audit.register()
