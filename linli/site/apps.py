from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The top floor: the home page, the menu and the demo, read from what the apps registered."""

    name = "linli.site"
    label = "linli_site"
    verbose_name = _("Site")
