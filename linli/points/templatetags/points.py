"""{% points_balance user %}: a person's points, for pages outside the points app (the home page);
{{ user|masked_person }}: who redeemed, masked (the fulfil page, the API)."""

from django import template

from linli.accounts.models import mask_phone
from linli.points.actions import balance_of

register = template.Library()


@register.simple_tag
def points_balance(user):
    return balance_of(user) if getattr(user, "is_authenticated", False) else 0


@register.filter
def masked_person(user):
    """居*甲 · 139****0001: enough for staff to tell people apart at the counter, no more (PIPL)."""
    name = user.name or ""
    if len(name) > 2:
        name = name[0] + "*" * (len(name) - 2) + name[-1]
    elif name:
        name = name[0] + "*" * (len(name) - 1)
    return " · ".join(part for part in (name, mask_phone(user.phone)) if part)
