"""Outbox handler: tell the resident about their redemptions (积分超市).

    points.redemption.redeemed    the resident: the pickup code (also by SMS), ready to collect
    points.redemption.fulfilled   the resident: handed over
    points.redemption.cancelled   the resident, when staff cancelled it: the points are back

A redemption is ready for pickup as soon as it is made, so the resident is told then, even though
they did it themselves: the message keeps the code at hand.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _, ngettext

from linli.core.notify import notify

TOPIC_PREFIX = "points.redemption."


def handle_message(message):
    from .models import Redemption

    event = message.topic[len(TOPIC_PREFIX):]
    payload = message.payload or {}
    redemption = Redemption.objects.select_related("reward", "user").filter(pk=payload.get("redemption_id")).first()
    if redemption is None:
        return
    reward = redemption.reward.name
    sms = None
    with translation.override(settings.LANGUAGE_CODE):
        if event == "redeemed":
            title = _("Ready for pickup: %(reward)s") % {"reward": reward}
            body = _("Your pickup code is %(code)s. Show it to the staff to collect the reward.") % {
                "code": redemption.code}
            sms = ("redemption_ready", {"reward": reward, "code": redemption.code})
        elif event == "fulfilled":
            title = _("Collected: %(reward)s") % {"reward": reward}
            body = _("You collected it on %(time)s. Thank you for volunteering.") % {
                "time": timezone.localtime(redemption.fulfilled_at or timezone.now()).strftime("%m-%d %H:%M")}
        elif event == "cancelled":
            if payload.get("actor_id") == redemption.user_id:
                return  # they cancelled it themselves
            title = _("Redemption cancelled: %(reward)s") % {"reward": reward}
            body = ngettext("Staff cancelled it; %(points)d point is back in your account.",
                            "Staff cancelled it; %(points)d points are back in your account.",
                            redemption.points) % {"points": redemption.points}
        else:
            return
        url = f"{reverse('points:redemptions')}#r{redemption.pk}"
        notify([redemption.user], message.topic, title, body, url=url, sms=sms)


def register():
    from linli.core import outbox

    outbox.register(TOPIC_PREFIX, handle_message)
