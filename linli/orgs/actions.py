"""Writes to organizations, memberships and pairings."""

from django.db import transaction

from .models import Organization


@transaction.atomic
def do_create_organization(*, parent, name, kind, area, new_sectors=(), founded_on=None):
    fields = dict(name=name, kind=kind, area=area, new_sectors=list(new_sectors), founded_on=founded_on)
    if parent is None:
        return Organization.add_root(**fields)
    parent = Organization.objects.select_for_update().get(pk=parent.pk)
    return parent.add_child(**fields)
