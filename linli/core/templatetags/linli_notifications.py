"""The notification bell: `{% unread_notifications as n %}`, one COUNT per request however many bells."""

from django import template

from linli.core.notify import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if request is None:
        return unread_count(user)
    if not hasattr(request, "_linli_unread"):
        request._linli_unread = unread_count(user)
    return request._linli_unread
