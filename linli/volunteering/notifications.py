"""Outbox handlers: tell volunteers about promotions from the waiting list, activities starting
within a day (today or tomorrow), being removed from a team, their hours approved (with the points
credited) or rejected, and a service certificate issued for them (bell, and SMS where allowed)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.notify import notify

TOPIC_PREFIX = "volunteering."
# The enrolment engine's messages about activities' sign-ups and hours, and the topic each is told under.
ENROLMENT_TOPICS = {"enrolment.promoted": "volunteering.promoted", "enrolment.reminder": "volunteering.reminder",
                    "enrolment.hours_approved": "volunteering.hours_approved",
                    "enrolment.hours_rejected": "volunteering.hours_rejected"}


def _ours(message) -> str | None:
    """The volunteering topic of an enrolment message about an activity; None for other owners'."""
    from .actions.activities import OWNER

    if not str(message.payload.get("owner", "")).startswith(f"{OWNER}:"):
        return None
    return ENROLMENT_TOPICS.get(message.topic)


def handle_message(message):
    from .models import Enrolment

    topic = _ours(message)
    if topic not in ("volunteering.promoted", "volunteering.reminder"):
        return
    signup = Enrolment.objects.select_related("session__activity", "venue", "user").filter(
        pk=message.payload.get("enrolment")).first()
    if signup is None:
        return
    activity = signup.session.activity
    url = reverse("volunteering:activity", args=[activity.pk])
    when = timezone.localtime(activity.starts_at).strftime("%m-%d %H:%M")
    sms_params = {"title": activity.title, "when": when, "venue": signup.venue.name}
    if topic == "volunteering.promoted":
        title = _("You have a place: %(title)s") % {"title": activity.title}
        body = _("A place became free and is now yours. %(when)s at %(venue)s.") % {"when": when, "venue": signup.venue.name}
        sms = ("activity_promoted", sms_params)
    else:
        title = _reminder_title(activity)
        body = _("%(when)s at %(venue)s. Scan the code at the venue to check in.") % {"when": when, "venue": signup.venue.name}
        sms = ("activity_reminder", sms_params)
    notify([signup.user], topic, title, body, url=url, sms=sms)


def _reminder_title(activity) -> str:
    """Reminders go out up to a day ahead: "today" or "tomorrow" by the local calendar date."""
    day = timezone.localtime(activity.starts_at).date()
    today = timezone.localdate()
    if day == today:
        return _("Reminder: %(title)s today") % {"title": activity.title}
    if day == today + timedelta(days=1):
        return _("Reminder: %(title)s tomorrow") % {"title": activity.title}
    return _("Reminder: %(title)s on %(date)s") % {"title": activity.title, "date": day.strftime("%m-%d")}


def handle_team_removed(message):
    """Tell a member that a team leader took them off the team (with the reason, if given)."""
    from linli.orgs.models import Membership

    if message.topic != "volunteering.team_removed":
        return
    membership = Membership.objects.select_related("organization", "user").filter(
        pk=message.payload.get("membership")).first()
    if membership is None:
        return
    title = _("You are no longer a member of %(team)s") % {"team": membership.organization.name}
    reason = message.payload.get("reason") or ""
    body = _("The team leader removed you from the team. Reason: %(reason)s") % {"reason": reason} if reason else \
        _("The team leader removed you from the team.")
    notify([membership.user], message.topic, title, body, url=reverse("volunteering:teams"))


def handle_activity_changed(message):
    """Tell the volunteers signed up (or waiting) that the activity moved or was cancelled."""
    from .models import Activity, Enrolment

    if message.topic not in ("volunteering.rescheduled", "volunteering.activity_cancelled"):
        return
    activity = Activity.objects.filter(pk=message.payload.get("activity")).first()
    if activity is None:
        return
    users = Enrolment.objects.filter(pk__in=message.payload.get("signups") or [], session=activity).values_list(
        "user", flat=True)
    start = timezone.localtime(activity.starts_at)
    span = {"start": start.strftime("%m-%d %H:%M"), "end": timezone.localtime(activity.ends_at).strftime("%H:%M")}
    if message.topic == "volunteering.rescheduled":
        title = _("New time: %(title)s") % {"title": activity.title}
        body = _("The activity now runs %(start)s–%(end)s. Your sign-up stays.") % span
        sms = ("activity_rescheduled", {"title": activity.title, "when": "%(start)s–%(end)s" % span})
    else:
        title = _("Cancelled: %(title)s") % {"title": activity.title}
        body = _("The activity on %(when)s is cancelled. Reason: %(reason)s") % {
            "when": span["start"], "reason": activity.cancel_reason}
        sms = ("activity_cancelled", {"title": activity.title, "when": span["start"],
                                      "reason": activity.cancel_reason or "—"})
    notify(list(users), message.topic, title, body, url=reverse("volunteering:activity", args=[activity.pk]), sms=sms)


def handle_hours_and_certificates(message):
    from linli.core.templatetags.linli import hours as format_hours

    from .models import Attendance, ServiceCertificate

    topic = _ours(message)
    if topic in ("volunteering.hours_approved", "volunteering.hours_rejected"):
        attendance = Attendance.objects.select_related("enrolment__session__activity", "enrolment__user").filter(
            pk=message.payload.get("attendance")).first()
        if attendance is None:
            return
        activity = attendance.enrolment.session.activity
        if topic == "volunteering.hours_approved":
            values = {"title": activity.title, "hours": format_hours(attendance.hours), "points": attendance.points}
            title = _("Hours approved: %(title)s") % values
            body = _("%(hours)s hours confirmed; %(points)s points credited to your account.") % values
            sms = ("hours_approved", values)
        else:
            values = {"title": activity.title, "reason": attendance.reject_reason}
            title = _("Hours not approved: %(title)s") % values
            body = _("Reason: %(reason)s. Ask the team leader if you think this is a mistake.") % values
            sms = ("hours_rejected", values)
        notify([attendance.enrolment.user], topic, title, body, url=reverse("volunteering:hours"), sms=sms)
    elif message.topic == "volunteering.certificate_issued":
        certificate = ServiceCertificate.objects.select_related("volunteer__user", "organization").filter(
            pk=message.payload.get("certificate")).first()
        if certificate is None:
            return
        title = _("Your volunteer service certificate is ready")
        body = _("Number %(number)s, issued by %(organization)s. Open it to view or download.") % {
            "number": certificate.number, "organization": certificate.organization.name}
        notify([certificate.volunteer.user], message.topic, title, body, url=reverse("volunteering:certificates"),
               sms=("certificate_issued", {"number": certificate.number}))


def register():
    from linli.core import outbox

    outbox.register("enrolment.", handle_message)
    outbox.register(TOPIC_PREFIX, handle_team_removed)
    outbox.register(TOPIC_PREFIX, handle_activity_changed)
    outbox.register(TOPIC_PREFIX, handle_hours_and_certificates)
    outbox.register("enrolment.", handle_hours_and_certificates)
