"""{% points_balance user %}: a person's points, for pages outside the points app (the home page)."""

from django import template

from linli.points.actions import balance_of

register = template.Library()


@register.simple_tag
def points_balance(user):
    return balance_of(user) if getattr(user, "is_authenticated", False) else 0
