"""Outbox handlers: tell volunteers about promotions from the waiting list and tomorrow's activities."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.notify import notify

TOPIC_PREFIX = "volunteering."


def handle_message(message):
    from .models import Signup

    if message.topic not in ("volunteering.promoted", "volunteering.reminder"):
        return
    signup = Signup.objects.select_related("activity", "venue", "user").filter(pk=message.payload.get("signup")).first()
    if signup is None:
        return
    activity = signup.activity
    url = reverse("volunteering:activity", args=[activity.pk])
    when = timezone.localtime(activity.starts_at).strftime("%m-%d %H:%M")
    if message.topic == "volunteering.promoted":
        title = _("You have a place: %(title)s") % {"title": activity.title}
        body = _("A place became free and is now yours. %(when)s at %(venue)s.") % {"when": when, "venue": signup.venue.name}
    else:
        title = _("Reminder: %(title)s tomorrow") % {"title": activity.title}
        body = _("%(when)s at %(venue)s. Scan the code at the venue to check in.") % {"when": when, "venue": signup.venue.name}
    notify([signup.user], message.topic, title, body, url=url, sms=True)


def register():
    from linli.core import outbox

    outbox.register(TOPIC_PREFIX, handle_message)
