"""`{% menu_entries as entries %}`: the ☰ menu of base.html, read from the tile registry."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def menu_entries(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return []
    from linli.site.views import menu_for

    return menu_for(user)
