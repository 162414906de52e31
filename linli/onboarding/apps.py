from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "linli.onboarding"
    label = "onboarding"
    verbose_name = _("Guiding new organizations")

    def ready(self):
        from linli.accounts.choices import Role
        from linli.core.registry import Panel, Tile, register_demo, register_panel, register_tiles

        from .panels import network_panel

        # its completion beside coverage, on the organization network page
        register_panel("orgs.network", Panel("onboarding.six_ones", "onboarding/_network_panel.html", network_panel,
                                             order=10))

        # after the organizations and people; its guides tick items with photos
        register_demo("onboarding", "linli.onboarding.demo.load_onboarding", order=50)
        register_tiles(
            Tile("onboarding.index", _("“6 ones” method"),
                 _("How far each new organization has come with the six steps of the method"), "六",
                 "onboarding:index", frozenset({Role.ORG_ADMIN}), order=2),
            Tile("onboarding.mine", _("Organizations I guide"),
                 _("Tick the six steps for each new organization, with photos"), "导",
                 "onboarding:mine", frozenset({Role.JUDGE}), order=5),
        )
