"""Every write to service offerings and orders. `check_*` validates and checks permission, then
calls `do_*`, which runs in one transaction, locks the order, appends its ServiceOrderEvent and
its outbox message ("service_order.<action>").

check_save_offering(user, team, *, name, kind, description="", available="", areas=(), active=True, offering=None)
    A team's leader adds or edits a menu item (Http404 for a team they do not run). Codes: bad_area
    (streets and communities only), area_outside_team, bad_kind, required, too_long.
check_order(user, *, area, address, starts_at, ends_at, kind=None, offering=None, notes="", photos=()) -> ServiceOrder
    Anyone signed in orders for a community (点单), with photos of what needs doing if they like.
    Codes: bad_area, unknown_offering, offering_not_here, bad_kind, address_required, too_long,
    bad_time, or a photo's media code.
perform(actor, order, action, **params) -> ServiceOrder
    dispatch(team, note="", other_kind=False: True to send it to a team that does not offer its
    kind of service), publish(note=""), grab(team=None: required when the leader has several), accept(note=""), decline(reason),
    assign(volunteers=[user ids], note=""), complete(note="", photos=[]), record_hours(hours={user id: h}),
    correct_hours(hours={user id: h}, reason),
    rate(rating 1..5, comment=""), cancel(reason="").
    Http404 when the actor is not a party of the action; ActionNotAllowed (409) when the order's state
    does not allow it; ServiceOrderError (400): unknown_action, unexpected_param, reason_required,
    too_long, team_required, unknown_team, team_not_allowed, team_not_offering, not_started (completing
    before the booked start), volunteers_required, not_a_member,
    no_volunteers, bad_hours, not_assigned, already_recorded, not_recorded, nothing_changed,
    points_spent, bad_rating, or a photo's media code; bad_hours past the booked window.
    ServiceNotOffered (403, service_not_offered): refuse_grab of an order for a service the actor's
    teams do not offer in its area.
allowed_actions(user, order) -> list[str]
check_reveal_resident_phone(viewer, order, ip=None) -> str
    The resident's full number, recorded; Http404 unless queries.may_see_resident_phone.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import partial

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from linli.core import workflow
from linli.core.ids import parse_id
from linli.core.privacy import record_access
from linli.orgs.models import Membership, Organization
from linli.places.choices import AreaLevel
from linli.places.models import Area
from linli.points.actions import PointsError, do_post, points_for_hours

from . import queries
from .choices import (
    ADDRESS_MAX_LENGTH,
    AREA_LEVELS_SERVED,
    MAX_DONE_PHOTOS,
    MAX_HOURS_PER_VOLUNTEER,
    MAX_ORDER_PHOTOS,
    NOTE_MAX_LENGTH,
    POINTS_PER_HOUR,
    REASON_REQUIRED,
    TRANSITIONS,
    OfferingKind,
    OrderAction,
)
from .errors import ActionNotAllowed, OrderTaken, ServiceNotOffered, ServiceOrderError
from .models import AssignedVolunteer, ServiceOffering, ServiceOrder, ServiceOrderEvent, ServiceOrderPhoto

A = OrderAction
PARAMS = {
    A.DISPATCH: ("team", "note", "other_kind"),
    A.PUBLISH: ("note",),
    A.GRAB: ("team",),
    A.ACCEPT: ("note",),
    A.DECLINE: ("reason",),
    A.ASSIGN: ("volunteers", "note"),
    A.COMPLETE: ("note", "photos"),
    A.RECORD_HOURS: ("hours",),
    A.CORRECT_HOURS: ("hours", "reason"),
    A.RATE: ("rating", "comment"),
    A.CANCEL: ("reason",),
}


# -- small validators ---------------------------------------------------------------------------------


clean_text = partial(workflow.clean_text, error=ServiceOrderError)


def _when(value, field):
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = parse_datetime(str(value or "").strip())
        except (TypeError, ValueError):
            moment = None
    if moment is None:
        raise ServiceOrderError("bad_time", _("Give a date and time."), field=field)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


# -- the menu (服务菜单) --------------------------------------------------------------------------------


def check_save_offering(user, team, *, name, kind, description="", available="", areas=(), active=True,
                        offering=None):
    if team is None or team.pk not in queries.led_team_ids(user):
        raise Http404
    if offering is not None and offering.team_id != team.pk:
        raise Http404
    name = clean_text(name, field="name", max_length=80, required=True)
    description = clean_text(description, field="description", max_length=NOTE_MAX_LENGTH)
    available = clean_text(available, field="available", max_length=80)
    if kind not in OfferingKind.values:
        raise ServiceOrderError("bad_kind", _("Choose a kind of service."), field="kind")
    areas = [_area(area, field="areas", levels=AREA_LEVELS_SERVED) for area in (areas or ())]
    if not areas:
        raise ServiceOrderError("bad_area", _("Choose at least one area served."), field="areas")
    # A team serves only under its own area: what it serves decides whose orders it sees on the board.
    if any(not area.code.startswith(team.area.code) for area in areas):
        raise ServiceOrderError("area_outside_team", _("Choose areas within the team's own area (%(area)s).")
                                % {"area": team.area.name}, field="areas")
    return do_save_offering(team, name=name, kind=kind, description=description, available=available, areas=areas,
                            active=bool(active), offering=offering)


def do_save_offering(team, *, areas, offering=None, **fields) -> ServiceOffering:
    with transaction.atomic():
        if offering is None:
            offering = ServiceOffering(team=team)
        else:
            offering = ServiceOffering.objects.select_for_update().get(pk=offering.pk)
        for name, value in fields.items():
            setattr(offering, name, value)
        offering.save()
        offering.areas.set(areas)
    return offering


# -- ordering (点单) -------------------------------------------------------------------------------------


def _area(value, field="area", levels=(AreaLevel.COMMUNITY,)):
    area = value if isinstance(value, Area) else Area.objects.filter(code=str(value or "").strip()).first()
    if area is None or (levels and area.level not in levels):
        message = _("Choose a community.") if levels == (AreaLevel.COMMUNITY,) else _("Choose a street or community.")
        raise ServiceOrderError("bad_area", message, field=field)
    return area


def _offering(value):
    if value in (None, ""):
        return None
    if isinstance(value, ServiceOffering):
        return value
    pk = parse_id(value)
    offering = ServiceOffering.objects.filter(pk=pk, active=True).first() if pk is not None else None
    if offering is None:
        raise ServiceOrderError("unknown_offering", _("No such service on the menu."), field="offering")
    return offering


def check_order(user, *, area, address, starts_at, ends_at, kind=None, offering=None, notes="",
                photos=()) -> ServiceOrder:
    if user is None or not user.is_authenticated or not user.is_active:
        raise Http404
    area = _area(area)
    offering = _offering(offering)
    if offering is not None:
        if not offering.active or not queries.menu_for(area.code).filter(pk=offering.pk).exists():
            raise ServiceOrderError("offering_not_here", _("This service is not offered in your community."),
                                    field="offering")
        kind = offering.kind
    if kind not in OfferingKind.values:
        raise ServiceOrderError("bad_kind", _("Choose a kind of service."), field="kind")
    address = clean_text(address, field="address", max_length=ADDRESS_MAX_LENGTH, required=True,
                         code="address_required", message=_("Give the address."))
    notes = clean_text(notes, field="notes", max_length=NOTE_MAX_LENGTH)
    starts_at, ends_at = _when(starts_at, "starts_at"), _when(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise ServiceOrderError("bad_time", _("The end must be after the start."), field="ends_at")
    if ends_at <= timezone.now():
        raise ServiceOrderError("bad_time", _("The time window is already over."), field="ends_at")
    photos = WORKFLOW.photos(photos, max_count=MAX_ORDER_PHOTOS) if photos else []
    return do_order(user, area=area, offering=offering, kind=kind, address=address, notes=notes,
                    starts_at=starts_at, ends_at=ends_at, photos=photos)


def do_order(user, *, area, photos=(), **fields) -> ServiceOrder:
    with transaction.atomic():
        order = ServiceOrder.objects.create(resident=user, area=area, area_code=area.code, **fields)
        record(order, user, A.ORDER, "", topic="service_order.ordered", photos=photos)
    return order


# -- the timeline ----------------------------------------------------------------------------------------


def payload(order, action, actor, from_status, **extra):
    """What an outbox message about an order carries: enough to find whom to tell."""
    return {
        "order_id": order.pk,
        "action": str(action),
        "actor_id": getattr(actor, "pk", None),
        "from": str(from_status or ""),
        "to": str(order.status),
        "area_code": order.area_code,
        "team_id": order.team_id,
        "resident_id": order.resident_id,
        **extra,
    }


TIMELINE = workflow.Timeline(event_model=ServiceOrderEvent, owner="order", topic_prefix="service_order",
                             payload=payload, photo_model=ServiceOrderPhoto)
record = TIMELINE.record


# -- the workflow (linli.core.workflow) ---------------------------------------------------------------------

PRECONDITIONS = {
    A.PUBLISH: lambda order, now: order.published_at is None,
    A.GRAB: lambda order, now: order.published_at is not None,
    A.RATE: lambda order, now: order.rating is None,
    # .all(): the detail page and API prefetch the assignments, so listing the actions costs no query.
    A.RECORD_HOURS: lambda order, now: any(a.recorded_at is None for a in order.assignments.all()),
    A.CORRECT_HOURS: lambda order, now: any(a.recorded_at is not None for a in order.assignments.all()),
}
WORKFLOW = workflow.Workflow(
    model=ServiceOrder, transitions=TRANSITIONS, params=PARAMS, parties_of=queries.parties_of, timeline=TIMELINE,
    error=ServiceOrderError, not_allowed=ActionNotAllowed, preconditions=PRECONDITIONS,
)
state_allows = WORKFLOW.state_allows
allowed_actions = WORKFLOW.allowed_actions
lock = WORKFLOW.lock


# -- parameters --------------------------------------------------------------------------------------------


def _team(value, field="team"):
    if isinstance(value, Organization):
        return value
    if value in (None, ""):
        return None
    pk = parse_id(value)
    team = Organization.objects.filter(pk=pk, kind=queries.TEAM_KIND).first() if pk is not None else None
    if team is None:
        raise ServiceOrderError("unknown_team", _("No such volunteer team."), field=field)
    return team


def _user_ids(values, field):
    if isinstance(values, (str, int)):
        values = [values]
    if not isinstance(values, (list, tuple)):
        raise ServiceOrderError("volunteers_required", _("Choose at least one volunteer."), field=field)
    ids = []
    for value in values:
        pk = parse_id(value)
        if pk is None:
            raise ServiceOrderError("not_a_member", _("Choose members of the team."), field=field)
        if pk not in ids:
            ids.append(pk)
    return ids


def _hours(value, limit):
    if isinstance(value, bool):
        value = None
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        hours = None
    if hours is None or not hours.is_finite() or hours <= 0 or hours > limit:
        raise ServiceOrderError(
            "bad_hours", _("Hours must be more than 0 and at most %(n)s, the booked time.") % {"n": _number(limit)},
            field="hours",
        )
    return hours.quantize(Decimal("0.01"))


def _number(amount: Decimal) -> str:
    return format(amount.normalize(), "f")


def _clean_params(actor, order, action, params):
    cleaned = {}
    if "note" in PARAMS[action]:
        cleaned["note"] = clean_text(params.get("note"), field="note", max_length=NOTE_MAX_LENGTH)
    if "reason" in PARAMS[action]:
        cleaned["reason"] = clean_text(
            params.get("reason"), field="reason", max_length=NOTE_MAX_LENGTH, required=action in REASON_REQUIRED,
            code="reason_required", message=_("Give a reason."),
        )
    if action == A.DISPATCH:
        team = _team(params.get("team"))
        if team is None:
            raise ServiceOrderError("team_required", _("Choose a volunteer team."), field="team")
        if not queries.serving_teams(order.area_code).filter(pk=team.pk).exists():
            raise ServiceOrderError("team_not_allowed", _("This team does not serve the order's area."), field="team")
        # A team that does not offer this kind of service is a deliberate choice, never a default.
        if not params.get("other_kind") and not queries.offering_teams(order.kind, order.area_code).filter(
                pk=team.pk).exists():
            raise ServiceOrderError(
                "team_not_offering",
                _("%(team)s does not offer this service here. To send it there all the same, choose it among the other teams.")
                % {"team": team.name}, field="team")
        cleaned["team"] = team
    elif action == A.GRAB:
        candidates = queries.grab_teams(actor, order)
        team = _team(params.get("team"))
        if team is None:
            if len(candidates) > 1:  # a leader of several teams says which one takes it
                raise ServiceOrderError("team_required", _("Choose which of your teams takes the order."),
                                        field="team")
            team = Organization.objects.get(pk=candidates[0])  # a grabber has at least one
        elif team.pk not in candidates:
            raise ServiceOrderError("team_not_allowed", _("This team may not take this order."), field="team")
        cleaned["team"] = team
    elif action == A.ASSIGN:
        ids = _user_ids(params.get("volunteers"), "volunteers")
        if not ids:
            raise ServiceOrderError("volunteers_required", _("Choose at least one volunteer."), field="volunteers")
        members = set(
            Membership.objects.members().active().filter(organization_id=order.team_id, user_id__in=ids)
            .values_list("user_id", flat=True)
        )
        if members != set(ids):
            raise ServiceOrderError("not_a_member", _("Choose members of the team."), field="volunteers")
        cleaned["volunteers"] = ids
    elif action == A.COMPLETE:
        if timezone.now() < order.starts_at:
            raise ServiceOrderError(
                "not_started", _("The service is booked for %(when)s; mark it done after it has begun.")
                % {"when": _local(order.starts_at)}, field="action")
        if not order.assignments.exists():
            raise ServiceOrderError("no_volunteers", _("Assign the volunteers first."), field="volunteers")
        cleaned["photos"] = WORKFLOW.photos(params.get("photos"), max_count=MAX_DONE_PHOTOS)
    elif action == A.RECORD_HOURS:
        cleaned["hours"] = _clean_hours(order, params.get("hours"))
    elif action == A.CORRECT_HOURS:
        cleaned["hours"] = _clean_hours(order, params.get("hours"), recorded=True)
    elif action == A.RATE:
        cleaned["rating"] = WORKFLOW.rating(params.get("rating"))
        cleaned["comment"] = clean_text(params.get("comment"), field="comment", max_length=500)
    return cleaned


def _clean_hours(order, value, recorded=False):
    """{user id: hours} for volunteers sent on the order: not yet recorded (record_hours) or
    already recorded (correct_hours)."""
    if not isinstance(value, dict) or not value:
        raise ServiceOrderError("bad_hours", _("Give the hours of each volunteer."), field="hours")
    assignments = {a.user_id: a for a in order.assignments.all()}
    hours = {}
    for key, amount in value.items():
        pk = parse_id(key)
        if pk not in assignments:
            raise ServiceOrderError("not_assigned", _("This person was not sent on the order."), field="hours")
        if not recorded and assignments[pk].recorded_at is not None:
            raise ServiceOrderError("already_recorded", _("These hours are already recorded."), field="hours")
        if recorded and assignments[pk].recorded_at is None:
            raise ServiceOrderError("not_recorded", _("Record these hours first."), field="hours")
        hours[pk] = _hours(amount, limit=booked_hours(order))
    return hours


def booked_hours(order) -> Decimal:
    """The most hours one volunteer can be credited for an order: its booked window."""
    window = Decimal((order.ends_at - order.starts_at).total_seconds()) / Decimal(3600)
    return min(window, Decimal(MAX_HOURS_PER_VOLUNTEER)).quantize(Decimal("0.01"))


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# -- the resident's phone ----------------------------------------------------------------------------

PHONE_FIELD = "phone"


def check_reveal_resident_phone(viewer, order, ip=None) -> str:
    """The resident's full phone number for those who may call them (queries.may_see_resident_phone),
    after recording the access; Http404 for anyone else (before acceptance the team sees it masked)."""
    if not queries.may_see_resident_phone(viewer, order):
        raise Http404
    return do_reveal_resident_phone(viewer, order, ip)


def do_reveal_resident_phone(viewer, order, ip=None) -> str:
    with transaction.atomic():
        record_access(viewer, f"service_order:{order.pk}:resident", PHONE_FIELD, ip)
    return order.resident.phone


# -- the entry point ------------------------------------------------------------------------------------------


def refuse_grab(actor, pk):
    """Why a grab of an order the actor cannot open fails, when they should be told: 409 when
    another team took it first, 403 when it is for a service none of their teams offers in its
    area (the API and the page call it; otherwise the order is simply not theirs: 404)."""
    if pk is None:
        return
    taken = queries.grabbed_by_another(actor, pk)
    if taken is not None:
        raise OrderTaken(A.GRAB, taken.status, [])
    if queries.published_for_another_service(actor, pk):
        raise ServiceNotOffered("service_not_offered",
                                _("Your team does not offer this service here, so it cannot take this order."))


def perform(actor, order, action, **params) -> ServiceOrder:
    """Take a workflow action: party (else 404), state (else 409), parameters (else 400)."""
    return WORKFLOW.perform(actor, order, action, params, clean=_clean_params, do=DO)


# -- one do_* per action ----------------------------------------------------------------------------------------


_apply = WORKFLOW.apply


def do_dispatch(actor, order, team, note=""):
    with transaction.atomic():
        order = lock(order, actor, A.DISPATCH)
        return _apply(actor, order, A.DISPATCH, note=note, data={"team": team.pk, "team_name": team.name},
                      team=team, published_at=None)


def do_publish(actor, order, note=""):
    with transaction.atomic():
        order = lock(order, actor, A.PUBLISH)
        return _apply(actor, order, A.PUBLISH, note=note, published_at=timezone.now())


def do_grab(actor, order, team):
    """First team wins: the row lock makes a second grabber wait, then see `accepted` (409)."""
    with transaction.atomic():
        try:
            order = lock(order, actor, A.GRAB)
        except ActionNotAllowed:
            refuse_grab(actor, order.pk)  # the same words as for a loser who comes later
            raise
        return _apply(actor, order, A.GRAB, data={"team": team.pk, "team_name": team.name}, team=team,
                      published_at=None, accepted_at=timezone.now())


def do_accept(actor, order, note=""):
    with transaction.atomic():
        order = lock(order, actor, A.ACCEPT)
        return _apply(actor, order, A.ACCEPT, note=note, accepted_at=timezone.now())


def do_decline(actor, order, reason):
    with transaction.atomic():
        order = lock(order, actor, A.DECLINE)
        return _apply(actor, order, A.DECLINE, note=reason, data={"team": order.team_id}, team=None)


def do_assign(actor, order, volunteers, note=""):
    with transaction.atomic():
        order = lock(order, actor, A.ASSIGN)
        order.assignments.exclude(user_id__in=volunteers).delete()
        present = set(order.assignments.values_list("user_id", flat=True))
        AssignedVolunteer.objects.bulk_create(
            [AssignedVolunteer(order=order, user_id=pk) for pk in volunteers if pk not in present]
        )
        return _apply(actor, order, A.ASSIGN, note=note, data={"volunteers": list(volunteers)})


def do_complete(actor, order, note="", photos=()):
    with transaction.atomic():
        order = lock(order, actor, A.COMPLETE)
        return _apply(actor, order, A.COMPLETE, note=note, photos=photos, done_note=note, done_at=timezone.now())


def do_record_hours(actor, order, hours):
    """Record each volunteer's hours and post their points. A volunteer's points post once
    (the ledger's idempotency key), also when this runs twice; recorded hours are kept."""
    with transaction.atomic():
        order = lock(order, actor, A.RECORD_HOURS)
        now = timezone.now()
        posted = {}
        for assignment in order.assignments.select_for_update().filter(user_id__in=list(hours)):
            amount = hours[assignment.user_id]
            points = points_for_hours(amount, POINTS_PER_HOUR)
            if assignment.recorded_at is None:
                assignment.hours, assignment.points, assignment.recorded_at = amount, points, now
                assignment.save(update_fields=["hours", "points", "recorded_at"])
            if assignment.points > 0:
                do_post(
                    assignment.user, int(assignment.points), "earn",
                    idempotency_key=f"service-order:{order.pk}:{assignment.user_id}",
                    reference=f"service-order:{order.pk}", actor=actor, area_code=order.area_code,
                )
            posted[str(assignment.user_id)] = {"hours": str(assignment.hours), "points": assignment.points}
        return _apply(actor, order, A.RECORD_HOURS, data={"hours": posted}, message={"hours": posted})


def do_correct_hours(actor, order, hours, reason):
    """Correct recorded hours. Points are never edited: the difference is a new `adjust`
    entry, keyed by the correction's number, so a retried request cannot post it twice. A
    correction that would take back points the volunteer has already spent is refused."""
    with transaction.atomic():
        order = lock(order, actor, A.CORRECT_HOURS)
        changed = {}
        for assignment in order.assignments.select_for_update().filter(user_id__in=list(hours)):
            amount = hours[assignment.user_id]
            if assignment.recorded_at is None or amount == assignment.hours:
                continue
            points = points_for_hours(amount, POINTS_PER_HOUR)
            delta = points - assignment.points
            changed[str(assignment.user_id)] = {
                "from": str(assignment.hours), "to": str(amount), "points": delta,
            }
            assignment.corrections += 1
            if delta:
                try:
                    do_post(
                        assignment.user, delta, "adjust",
                        idempotency_key=f"service-order:{order.pk}:{assignment.user_id}:correction:{assignment.corrections}",
                        reference=f"service-order:{order.pk}", actor=actor, area_code=order.area_code, note=reason,
                    )
                except PointsError as error:
                    if error.code != "insufficient_points":
                        raise
                    raise ServiceOrderError(
                        "points_spent",
                        _("%(name)s has already spent these points; the hours cannot be lowered this far.")
                        % {"name": assignment.user.name}, field="hours",
                    ) from None
            assignment.hours, assignment.points = amount, points
            assignment.save(update_fields=["hours", "points", "corrections"])
        if not changed:
            raise ServiceOrderError("nothing_changed", _("These are already the recorded hours."), field="hours")
        return _apply(actor, order, A.CORRECT_HOURS, note=reason, data={"hours": changed})


def do_rate(actor, order, rating, comment=""):
    with transaction.atomic():
        order = lock(order, actor, A.RATE)
        return _apply(actor, order, A.RATE, note=comment, data={"rating": rating}, rating=rating,
                      rating_comment=comment, rated_at=timezone.now())


def do_cancel(actor, order, reason=""):
    with transaction.atomic():
        order = lock(order, actor, A.CANCEL)
        return _apply(actor, order, A.CANCEL, note=reason, published_at=None)


DO = {
    A.DISPATCH: do_dispatch,
    A.PUBLISH: do_publish,
    A.GRAB: do_grab,
    A.ACCEPT: do_accept,
    A.DECLINE: do_decline,
    A.ASSIGN: do_assign,
    A.COMPLETE: do_complete,
    A.RECORD_HOURS: do_record_hours,
    A.CORRECT_HOURS: do_correct_hours,
    A.RATE: do_rate,
    A.CANCEL: do_cancel,
}

