"""{% verified_hours user %}: a person's approved service hours, for pages outside volunteering."""

from django import template

from linli.volunteering.queries import approved_hours_of

register = template.Library()


@register.simple_tag
def verified_hours(user):
    return approved_hours_of(user) if getattr(user, "is_authenticated", False) else 0
