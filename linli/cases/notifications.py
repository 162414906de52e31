"""Outbox handlers: tell the people each case event concerns (core.notify).

    case.reported                      command center of the queue area
    case.accept / reject / close       the reporter (close: the followers too)
    case.dispatch / claim / resolve    also the reporter, in a resident's words (RESIDENT_STEPS)
    case.dispatch / claim / rework     handlers of the lead unit
    case.assist                        handlers of the assisting unit
    case.resolve                       grid workers of the grid (else the queue's dispatchers)
    case.return / reopen               command center of the queue area
    case.assign_verifier               the grid worker the grid leader sent to check the fix
    case.remind / supervise / sla_*    handlers of the lead unit while it holds the case,
                                       else the command center of the queue area
    case.escalate                      command center of the new queue area

A resident who reported (not a staff channel) gets an SMS at accept, reject, resolve and close
unless they turned SMS off. Registered in CasesConfig.ready(). Runs inside the relay's transaction: the rows it
writes commit with the message's "sent" mark.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from linli.accounts.choices import FIELD_ROLES, Role
from linli.accounts.models import RoleAssignment, User
from linli.accounts.sms import placeholders
from linli.core import notify as core_notify
from linli.core import outbox
from linli.places.models import Area

from .choices import RESOLVE_CLOCK_STATUSES, STAFF_CHANNELS
from .models import Case, CaseFollower
from linli.places.queries import ancestor_codes

TOPIC_PREFIX = "case."
HANDLER_ROLES = (Role.DEPARTMENT_HANDLER, Role.ORG_ADMIN)


def case_url(number) -> str:
    try:
        return reverse("cases:detail", args=[number])
    except NoReverseMatch:
        return f"/cases/{number}/"


# -- who ----------------------------------------------------------------------------------------


def dispatchers_of(area_id):
    """Command-center staff of the area; when it has none, of the nearest area above that has.
    Kept for the rest of the relay batch: a busy street's new cases all go to the same people."""
    if area_id is None:
        return []
    memo = outbox.batch_memo()
    key = ("cases.dispatchers", area_id)
    if key not in memo:
        memo[key] = _dispatchers_of(area_id)
    return memo[key]


def _dispatchers_of(area_id):
    area = Area.objects.filter(pk=area_id).only("code").first()
    if area is None:
        return []
    rows = list(
        RoleAssignment.objects.filter(
            role=Role.COMMAND_CENTER, area__code__in=ancestor_codes(area.code), user__is_active=True
        ).values_list("user_id", "area__code")
    )
    if not rows:
        return []
    nearest = max((code for _pk, code in rows), key=len)
    return list(User.objects.filter(pk__in=[pk for pk, code in rows if code == nearest]))


def handlers_of(unit_id):
    if unit_id is None:
        return []
    return User.objects.filter(
        is_active=True, role_assignments__role__in=HANDLER_ROLES, role_assignments__organization_id=unit_id
    ).distinct()


def field_workers_of(area_id):
    return User.objects.filter(
        is_active=True, role_assignments__role__in=FIELD_ROLES, role_assignments__area_id=area_id
    ).distinct()


# -- what ---------------------------------------------------------------------------------------


def _recipients(action, case, payload):
    # Who held the case when it happened (the payload), not now: the relay may run later.
    queue_id = payload.get("queue_area_id", case.queue_area_id)
    unit_id = payload.get("unit_id", case.unit_id)
    if action == "reported":
        return dispatchers_of(queue_id)
    if action == "close":
        return [f.user for f in CaseFollower.objects.filter(case=case).select_related("user")]
    if action in ("dispatch", "claim", "rework"):
        return handlers_of(unit_id)
    if action == "assist":
        return handlers_of(payload.get("assist_unit_id"))
    if action == "resolve":
        workers = list(field_workers_of(case.area_id)) if not case.unlocated else []
        return workers or dispatchers_of(queue_id)
    if action == "assign_verifier":
        return list(User.objects.filter(pk=payload.get("verifier_id"), is_active=True))
    if action in ("return", "reopen", "escalate"):
        return dispatchers_of(queue_id)
    if action in ("remind", "supervise", "sla_due_soon", "sla_overdue"):
        status = payload.get("to") or case.status
        if unit_id and status in RESOLVE_CLOCK_STATUSES and status != "returned":
            return handlers_of(unit_id)
        return dispatchers_of(queue_id)
    return []


def _texts(action, case, payload):
    values = {"number": case.number, "category": case.category.name}
    titles = {
        "reported": _("New case %(number)s: %(category)s"),
        "close": _("Case %(number)s is closed"),
        "dispatch": _("New work order %(number)s: %(category)s"),
        "claim": _("Your unit claimed case %(number)s"),
        "rework": _("Case %(number)s needs rework"),
        "assist": _("Please assist with case %(number)s"),
        "resolve": _("Case %(number)s is fixed: please check on site"),
        "return": _("Case %(number)s was returned"),
        "reopen": _("Case %(number)s was reopened by the reporter"),
        "escalate": _("Case %(number)s was escalated to you"),
        "remind": _("Reminder: case %(number)s"),
        "supervise": _("Case %(number)s is under supervision"),
        "sla_due_soon": _("Case %(number)s is due soon"),
        "sla_overdue": _("Case %(number)s is overdue"),
        "assign_verifier": _("Your grid leader asks you to check the fix of case %(number)s"),
    }
    if action in ("sla_due_soon", "sla_overdue") and (payload.get("to") or case.status) == "verified":
        titles[action] = (_("Case %(number)s is verified: call the reporter back and close it")
                          if action == "sla_due_soon" else _("Case %(number)s is verified but still not closed"))
    body = case.description[:140]
    note = payload.get("note") if isinstance(payload, dict) else ""
    return titles[action] % values, (f"{note}\n{body}" if note else body)


# Staff texts: a new work order, supervision, overdue.
STAFF_SMS = {"dispatch": "case_work_order", "supervise": "case_supervised", "sla_overdue": "case_overdue"}


def _resident_texts(action, case, payload):
    """(title, body, SMS template key or None) for the reporter, or None when the step is not theirs."""
    values = {"number": case.number, "category": case.category.name}
    note = (payload.get("note") or "").strip()
    if action == "accept":
        return (_("Your report %(number)s was accepted") % values,
                _("Thank you. We will arrange for it to be handled soon."), "case_accepted")
    if action == "reject":
        body = _("Reason: %(reason)s") % {"reason": note} if note else _("It is not something we can take on.")
        return _("Your report %(number)s was not accepted") % values, body, "case_rejected"
    if action in ("dispatch", "claim"):
        unit = case.unit.name if case.unit_id else ""
        body = (_("%(unit)s is now handling it.") % {"unit": unit}) if unit else _("A unit is now handling it.")
        return _("Your report %(number)s is being handled") % values, body, None
    if action == "resolve":
        return (_("Your report %(number)s has been dealt with") % values,
                _("Staff will check the result on site."), "case_resolved")
    if action == "close":
        return (_("Your report %(number)s is closed") % values,
                _("Please rate how it was handled; if it is not fixed, you can reopen it within 7 days."),
                "case_closed")
    return None


def _sms_params(template_key, case, payload):
    params = {"number": case.number, "category": case.category.name}
    if template_key == "case_rejected":
        params["reason"] = (payload.get("note") or "").strip() or "不属于受理范围"
    return {name: params[name] for name in placeholders(template_key)}


def _case_of(case_id):
    """The case a message is about; the first call of a relay batch loads the cases of every
    case message in the batch in one query."""
    if not isinstance(case_id, int) or isinstance(case_id, bool):
        return None
    memo = outbox.batch_memo()
    cases = memo.get("cases.by_id")
    if cases is None or case_id not in cases:
        ids = {case_id} | {
            message.payload.get("case_id")
            for message in outbox.current_batch()
            if message.topic.startswith(TOPIC_PREFIX) and isinstance(message.payload, dict)
        }
        ids = [pk for pk in ids if isinstance(pk, int) and not isinstance(pk, bool)]
        cases = memo["cases.by_id"] = {
            **(cases or {}), **Case.objects.select_related("category", "reporter", "unit").in_bulk(ids)}
        cases.setdefault(case_id, None)  # a deleted case: do not look again
    return cases[case_id]


def handle_case_message(message):
    """The outbox handler for every "case." topic."""
    action = message.topic[len(TOPIC_PREFIX):]
    payload = message.payload or {}
    if payload.get("quiet"):
        return  # filed in bulk (a hotline import): its summary tells the importer, not one notice per case
    case = _case_of(payload.get("case_id"))
    if case is None:
        return
    actor_id = payload.get("actor_id")
    url = case_url(case.number)
    told = {actor_id}  # nobody is told what they did, nor twice about one step
    with translation.override(settings.LANGUAGE_CODE):
        resident = _resident_texts(action, case, payload)
        if resident and case.reporter_id and case.reporter_id not in told:
            title, body, template_key = resident
            # A resident's report: a text at the steps that matter to them; staff reports stay in the app.
            sms = None
            if template_key and case.channel not in STAFF_CHANNELS:
                sms = (template_key, _sms_params(template_key, case, payload))
            core_notify.notify([case.reporter], message.topic, title, body, url, sms=sms)
            told.add(case.reporter_id)
        users = [user for user in _recipients(action, case, payload) if user.pk not in told]
        if users:
            title, body = _texts(action, case, payload)
            template_key = STAFF_SMS.get(action)
            sms = (template_key, _sms_params(template_key, case, payload)) if template_key else None
            core_notify.notify(users, message.topic, title, body, url, sms=sms)


def register():
    from linli.core import outbox

    outbox.register(TOPIC_PREFIX, handle_case_message)
