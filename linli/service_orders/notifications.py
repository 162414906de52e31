"""Outbox handler: tell the people each order event concerns.

    ordered / declined   the dispatchers over the order's area (community staff, command centers)
    dispatched           the leaders of the team it went to
    published            the leaders of the teams serving the area (the grab board)
    accept / grab / assign / complete   the resident who ordered (accept, grab, complete: also an SMS)
    assign               the volunteers sent
    cancel               the leaders of the team it was dispatched to
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from linli.accounts.choices import Role
from linli.accounts.models import RoleAssignment
from linli.core.notify import notify

TOPIC_PREFIX = "service_order."
DISPATCH_ROLES = (Role.COMMUNITY_STAFF, Role.COMMAND_CENTER)
LEADER_ROLES = (Role.VOLUNTEER_TEAM_LEADER,)


def dispatchers_of(area_code):
    from linli.places.queries import ancestor_codes

    return list(
        RoleAssignment.objects.filter(role__in=DISPATCH_ROLES, area__code__in=ancestor_codes(area_code))
        .values_list("user_id", flat=True).distinct()
    )


def leaders_of(team_ids):
    return list(
        RoleAssignment.objects.filter(role__in=LEADER_ROLES, organization_id__in=list(team_ids))
        .values_list("user_id", flat=True).distinct()
    )


def handle_message(message):
    with translation.override(settings.LANGUAGE_CODE):
        _handle(message)


def _handle(message):
    from .models import ServiceOrder
    from .queries import offering_teams

    action = message.payload.get("action")
    order = ServiceOrder.objects.select_related("area", "team").filter(pk=message.payload.get("order_id")).first()
    if order is None:
        return
    kind = order.get_kind_display()
    url = reverse("service_orders:detail", args=[order.pk])
    sms = None
    when = timezone.localtime(order.starts_at).strftime("%m-%d %H:%M")
    if action == "order":
        recipients = dispatchers_of(order.area_code)
        title = _("New service order: %(kind)s") % {"kind": kind}
        body = _("%(area)s, %(address)s. Dispatch it to a team or publish it.") % {
            "area": order.area.name, "address": order.address}
    elif action == "decline":
        recipients = dispatchers_of(order.area_code)
        title = _("A team declined the order: %(kind)s") % {"kind": kind}
        body = _("Dispatch it again or publish it.")
    elif action == "dispatch":
        recipients = leaders_of([order.team_id])
        title = _("An order for your team: %(kind)s") % {"kind": kind}
        body = _("Accept it and assign volunteers, or decline it.")
    elif action == "publish":
        recipients = leaders_of(offering_teams(order.kind, order.area_code).values_list("pk", flat=True))
        title = _("An order to grab: %(kind)s") % {"kind": kind}
        body = _("The first team to take it serves it.")
    elif action in ("accept", "grab"):
        recipients = [order.resident_id]
        title = _("Your order was accepted: %(kind)s") % {"kind": kind}
        body = _("%(team)s will serve you at %(when)s as agreed.") % {
            "team": order.team.name if order.team_id else _("A volunteer team"), "when": when}
        sms = ("order_accepted", {"service": kind})
    elif action == "assign":
        _tell_assigned(message, order, kind, when)
        recipients = [order.resident_id]
        title = _("Volunteers are arranged for your order: %(kind)s") % {"kind": kind}
        body = _("They will come at %(when)s to %(address)s.") % {"when": when, "address": order.address}
    elif action == "complete":
        recipients = [order.resident_id]
        title = _("Your order is done: %(kind)s") % {"kind": kind}
        body = _("Please rate the service.")
        sms = ("order_completed", {"service": kind})
    elif action == "record_hours":
        _tell_hours(message, order, kind, url)
        return
    elif action == "cancel":
        team_id = message.payload.get("team_id")
        recipients = leaders_of([team_id]) if team_id else []
        title = _("An order was cancelled: %(kind)s") % {"kind": kind}
        body = _("The resident cancelled the order for %(when)s. No one needs to go.") % {"when": when}
    else:
        return
    recipients = [pk for pk in recipients if pk != message.payload.get("actor_id")]
    notify(recipients, message.topic, title, body, url=url, sms=sms)


def _tell_hours(message, order, kind, url):
    """Each volunteer whose hours were recorded: the hours and the points credited."""
    from linli.core.templatetags.linli import hours as format_hours

    for user_id, row in (message.payload.get("hours") or {}).items():
        values = {"service": kind, "hours": format_hours(row.get("hours")), "points": row.get("points", 0)}
        notify([int(user_id)], message.topic, _("Hours recorded: %(service)s") % values,
               _("%(hours)s hours; %(points)s points credited to your account.") % values, url=url,
               sms=("service_hours_recorded", values))


def _tell_assigned(message, order, kind, when):
    """The volunteers now on the order (those already on it are told again: the plan may have changed).
    The link opens the order: address, time and, once accepted, the resident's phone."""
    volunteers = [pk for pk in order.assignments.values_list("user_id", flat=True)
                  if pk != message.payload.get("actor_id")]
    title = _("You are assigned to a service order: %(kind)s") % {"kind": kind}
    body = _("%(when)s at %(address)s.") % {"when": when, "address": order.address}
    notify(volunteers, message.topic, title, body, url=reverse("service_orders:detail", args=[order.pk]))


def register():
    from linli.core import outbox

    outbox.register(TOPIC_PREFIX, handle_message)
