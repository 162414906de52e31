"""Writes to the case configuration: routing rules (categories are edited in the admin)."""

from django.db import transaction
from django.http import Http404

from linli.core.scoping import can

from ..models import RoutingRule


def check_set_routing_rule(actor, *, area, category, unit) -> RoutingRule:
    """A dispatcher over the area decides who handles its cases (404 outside their scope)."""
    if not can(actor, "cases.dispatch", area):
        raise Http404
    return do_set_routing_rule(area=area, category=category, unit=unit)


@transaction.atomic
def do_set_routing_rule(*, area, category, unit) -> RoutingRule:
    """Create the rule for (area, category) — category None means any — or point it at `unit`."""
    rule, _created = RoutingRule.objects.update_or_create(area=area, category=category, defaults={"unit": unit})
    return rule
