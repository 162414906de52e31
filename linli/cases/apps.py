from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "linli.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import notifications, routing
        from .models import Category, RoutingRule

        notifications.register()
        for model in (Category, RoutingRule):
            post_save.connect(routing.invalidate_routing_config, sender=model, dispatch_uid=f"routing-{model.__name__}-save")
            post_delete.connect(routing.invalidate_routing_config, sender=model, dispatch_uid=f"routing-{model.__name__}-del")
