"""The workflow: `perform(actor, case, action, **params)` and one `do_*` per action.

perform checks, in this order: the actor is a party of the action (else Http404, the
case's existence is not revealed), the case's state allows it (else ActionNotAllowed,
409, with the allowed actions), the parameters (else CaseError, 400). Each `do_*` runs
in one transaction, locks the case row, checks its state again under the lock, changes
it, appends its CaseEvent and its outbox message ("case.<action>").
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import calendar
from linli.core.scoping import scope_for
from linli.orgs.models import Organization
from linli.places.choices import AreaLevel
from linli.places.models import Area

from .. import routing
from ..choices import (
    MAX_EVIDENCE_PHOTOS,
    NOTE_MAX_LENGTH,
    OPEN_STATUSES,
    PLACE_STATUSES,
    REASON_REQUIRED,
    TRANSITIONS,
    Action,
    CaseStatus,
    SlaState,
)
from ..errors import ActionNotAllowed, CaseError
from ..models import Case, CaseAssist, CaseFollower
from ..parties import claim_units, in_area_scope, is_dispatcher
from .common import clean_rating, clean_text, process_photos, record
from .guards import PARAMS, WORKFLOW, allowed_actions, lock, sync

S = CaseStatus
# A fresh time limit starts: the SLA state and its auto-escalation start over.
SLA_RESET = {"sla_state": SlaState.ON_TRACK, "sla_escalated": False}


# -- parameters ---------------------------------------------------------------------------------


def _organization(value, field="unit"):
    if isinstance(value, Organization):
        return value
    if value in (None, ""):
        return None
    try:
        unit = Organization.objects.filter(pk=int(value)).first()
    except (TypeError, ValueError, OverflowError):
        unit = None
    if unit is None:
        raise CaseError("unknown_unit", _("No such unit."), field=field)
    return unit


def _area(value, field):
    if isinstance(value, Area):
        return value
    if value in (None, ""):
        return None
    area = Area.objects.filter(code=str(value).strip()).first()
    if area is None:
        raise CaseError("unknown_area", _("No area with this code."), field=field)
    return area


def _clean_params(actor, case, action, params):
    cleaned = {}
    if "note" in PARAMS[action]:
        cleaned["note"] = clean_text(params.get("note"), field="note", max_length=NOTE_MAX_LENGTH)
    if action in REASON_REQUIRED:
        cleaned["reason"] = clean_text(params.get("reason"), field="reason", max_length=NOTE_MAX_LENGTH)
        if not cleaned["reason"]:
            raise CaseError("reason_required", _("Give a reason."), field="reason")
    if action == Action.DISPATCH:
        unit = _organization(params.get("unit")) or case.unit
        if unit is None:
            raise CaseError("unit_required", _("Choose the handling unit."), field="unit")
        cleaned["unit"] = unit
    elif action == Action.ASSIST:
        unit = _organization(params.get("unit"))
        if unit is None:
            raise CaseError("unit_required", _("Choose the assisting unit."), field="unit")
        if unit.pk == case.unit_id:
            raise CaseError("already_lead", _("This unit already leads the case."), field="unit")
        if CaseAssist.objects.filter(case=case, unit=unit).exists():
            raise CaseError("already_assisting", _("This unit already assists."), field="unit")
        cleaned["unit"] = unit
    elif action == Action.CLAIM:
        cleaned["unit"] = _claiming_unit(actor, case, params.get("unit"))
    elif action == Action.RESOLVE:
        photos = list(params.get("photos") or ())
        if not photos:
            raise CaseError("evidence_required", _("Add at least one photo of the fix."), field="photos")
        cleaned["photos"] = process_photos(photos, max_count=MAX_EVIDENCE_PHOTOS)
    elif action == Action.VERIFY:
        # what the verifier saw on site: optional (a dispatcher may confirm from the desk), under
        # the same media rules as the fix's evidence
        cleaned["photos"] = process_photos(list(params.get("photos") or ()), max_count=MAX_EVIDENCE_PHOTOS)
    elif action == Action.RATE:
        cleaned["rating"] = clean_rating(params.get("rating"))
        cleaned["comment"] = clean_text(params.get("comment"), field="comment", max_length=500)
    elif action == Action.PUBLISH:
        board = _area(params.get("board_area"), "board_area") or case.queue_area
        if board is None or not in_area_scope(_dispatch_scope(actor), board.code):
            raise CaseError("bad_board_area", _("Publish to a board in your area."), field="board_area")
        cleaned["board_area"] = board
    return cleaned


def _dispatch_scope(actor):
    return scope_for(actor, "cases.dispatch")


def _claiming_unit(actor, case, value):
    unit = _organization(value)
    if scope_for(actor, "cases.handle").is_global:
        if unit is None:
            raise CaseError("unit_required", _("Choose the claiming unit."), field="unit")
        return unit
    candidates = claim_units(actor, case)
    if unit is None:
        if len(candidates) > 1:  # a person of several units says which one takes it on
            raise CaseError("unit_required", _("Choose which of your units claims the case."), field="unit")
        return Organization.objects.get(pk=candidates[0].id)
    if unit.pk not in {c.id for c in candidates}:
        raise CaseError("unit_not_allowed", _("This unit may not claim this case."), field="unit")
    return unit


# -- the entry point ----------------------------------------------------------------------------


def perform(actor, case, action, **params) -> Case:
    """Take a workflow action (see the module docstring). Returns the updated case; the
    caller's instance is updated too."""
    return WORKFLOW.perform(actor, case, action, params, clean=_clean_params, do=DO)


# -- one do_* per action -------------------------------------------------------------------------


_apply = WORKFLOW.apply


def do_accept(actor, case, note=""):
    with transaction.atomic():
        case = lock(case, actor, Action.ACCEPT)
        return _apply(actor, case, Action.ACCEPT, note=note, accepted_at=timezone.now(), **SLA_RESET)


def do_reject(actor, case, reason):
    with transaction.atomic():
        case = lock(case, actor, Action.REJECT)
        return _apply(actor, case, Action.REJECT, note=reason, **SLA_RESET)


def do_dispatch(actor, case, unit, note=""):
    with transaction.atomic():
        case = lock(case, actor, Action.DISPATCH)
        now = timezone.now()
        due = routing.resolve_due(now, routing.limits_for(case.category_id) or _no_limits(case))
        return _apply(
            actor, case, Action.DISPATCH, note=note, data={"unit": unit.pk, "unit_name": unit.name},
            unit=unit, dispatched_at=now, resolve_due=due, **SLA_RESET,
        )


def _no_limits(case):
    return routing.Limits(case.category, (case.category_id,), None, None, case.priority)


def do_sign(actor, case, note=""):
    with transaction.atomic():
        case = lock(case, actor, Action.SIGN)
        return _apply(actor, case, Action.SIGN, note=note)


def do_return(actor, case, reason):
    with transaction.atomic():
        case = lock(case, actor, Action.RETURN)
        return _apply(actor, case, Action.RETURN, note=reason, data={"unit": case.unit_id})


def do_resolve(actor, case, photos, note=""):
    with transaction.atomic():
        case = lock(case, actor, Action.RESOLVE)
        return _apply(actor, case, Action.RESOLVE, note=note, photos=photos, resolved_at=timezone.now())


def do_verify(actor, case, note="", photos=()):
    """Verified on site; the close clock starts (待结案: settings.CASES_CLOSE_WITHIN_WORKING_HOURS)."""
    with transaction.atomic():
        case = lock(case, actor, Action.VERIFY)
        now = timezone.now()
        return _apply(actor, case, Action.VERIFY, note=note, photos=photos,
                      close_due=calendar.add_working_hours(now, settings.CASES_CLOSE_WITHIN_WORKING_HOURS),
                      **SLA_RESET)


def do_rework(actor, case, reason):
    with transaction.atomic():
        case = lock(case, actor, Action.REWORK)
        return _apply(
            actor, case, Action.REWORK, note=reason, data={"rework_count": case.rework_count + 1},
            rework_count=case.rework_count + 1, resolved_at=None,
        )


def do_close(actor, case, note=""):
    with transaction.atomic():
        case = lock(case, actor, Action.CLOSE)
        return _apply(actor, case, Action.CLOSE, note=note, closed_at=timezone.now())


def do_rate(actor, case, rating, comment=""):
    with transaction.atomic():
        case = lock(case, actor, Action.RATE)
        return _apply(
            actor, case, Action.RATE, note=comment, data={"rating": rating},
            rating=rating, rating_comment=comment, rated_at=timezone.now(),
        )


def do_reopen(actor, case, reason):
    """Back to the dispatcher (accepted); the earlier outcome is kept in the event."""
    with transaction.atomic():
        case = lock(case, actor, Action.REOPEN)
        data = {
            "rating": case.rating,
            "closed_at": case.closed_at.isoformat() if case.closed_at else None,
            "resolved_at": case.resolved_at.isoformat() if case.resolved_at else None,
        }
        return _apply(
            actor, case, Action.REOPEN, note=reason, data=data, reopened=True,
            resolved_at=None, closed_at=None, rating=None, rating_comment="", rated_at=None, resolve_due=None,
            **SLA_RESET,
        )


def do_escalate(actor, case, reason):
    with transaction.atomic():
        case = lock(case, actor, Action.ESCALATE)
        target = routing.escalation_target(case.queue_area)
        if target is None:
            raise WORKFLOW.refuse(actor, case, Action.ESCALATE)
        data = {"from_queue": case.queue_area.code if case.queue_area_id else None, "to_queue": target.code}
        return _apply(
            actor, case, Action.ESCALATE, note=reason, data=data,
            queue_area=target, escalation_level=case.escalation_level + 1,
        )


def do_remind(actor, case, note=""):
    with transaction.atomic():
        case = lock(case, actor, Action.REMIND)
        return _apply(actor, case, Action.REMIND, note=note, reminder_count=case.reminder_count + 1)


def do_supervise(actor, case, note=""):
    with transaction.atomic():
        case = lock(case, actor, Action.SUPERVISE)
        return _apply(actor, case, Action.SUPERVISE, note=note, supervised=True)


def do_publish(actor, case, board_area):
    with transaction.atomic():
        case = lock(case, actor, Action.PUBLISH)
        return _apply(
            actor, case, Action.PUBLISH, data={"board_area": board_area.code},
            board_area=board_area, published_at=timezone.now(),
        )


def do_claim(actor, case, unit):
    """First claim wins: the status change is a compare-and-set, so of two units
    claiming at once exactly one updates the row; the other gets a 409."""
    limits = routing.limits_for(case.category_id) or _no_limits(case)
    now = timezone.now()
    with transaction.atomic():
        before = Case.objects.filter(pk=case.pk).values_list("status", flat=True).first()
        changed = Case.objects.filter(
            pk=case.pk, status__in=TRANSITIONS[Action.CLAIM].sources, board_area__isnull=False
        ).update(
            status=S.DISPATCHED, unit=unit, dispatched_at=now, resolve_due=routing.resolve_due(now, limits),
            updated_at=now, **SLA_RESET,
        )
        fresh = Case.objects.get(pk=case.pk)
        if not changed:
            raise WORKFLOW.refuse(actor, fresh, Action.CLAIM)
        record(fresh, actor, Action.CLAIM, before, data={"unit": unit.pk, "unit_name": unit.name})
        return fresh


def do_assist(actor, case, unit):
    with transaction.atomic():
        case = lock(case, actor, Action.ASSIST)
        CaseAssist.objects.create(case=case, unit=unit)
        return _apply(
            actor, case, Action.ASSIST, data={"unit": unit.pk, "unit_name": unit.name},
            message={"assist_unit_id": unit.pk},
        )


DO = {
    Action.ACCEPT: do_accept,
    Action.REJECT: do_reject,
    Action.DISPATCH: do_dispatch,
    Action.SIGN: do_sign,
    Action.RETURN: do_return,
    Action.RESOLVE: do_resolve,
    Action.VERIFY: do_verify,
    Action.REWORK: do_rework,
    Action.CLOSE: do_close,
    Action.RATE: do_rate,
    Action.REOPEN: do_reopen,
    Action.ESCALATE: do_escalate,
    Action.REMIND: do_remind,
    Action.SUPERVISE: do_supervise,
    Action.PUBLISH: do_publish,
    Action.CLAIM: do_claim,
    Action.ASSIST: do_assist,
}
assert set(DO) == set(TRANSITIONS)


# -- outside the transition table -------------------------------------------------------------------


def check_place(actor, case, area) -> Case:
    """Put an unlocated case on a grid by hand (a dispatcher of the case, the grid in
    their scope); routes it again when no unit was chosen yet."""
    if not is_dispatcher(actor, case):
        raise Http404
    if case.status not in PLACE_STATUSES or not case.unlocated:
        raise ActionNotAllowed(Action.PLACE, case.status, allowed_actions(actor, case))
    grid = _area(area, "area")
    if grid is None or grid.level != AreaLevel.GRID or not in_area_scope(_dispatch_scope(actor), grid.code):
        raise CaseError("bad_area", _("Choose a grid in your area."), field="area")
    return sync(case, do_place(actor, case, grid))


def do_place(actor, case, grid):
    where = routing.grid_placement(grid)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status not in PLACE_STATUSES or not case.unlocated:
            raise ActionNotAllowed(Action.PLACE, case.status, allowed_actions(actor, case) if actor else [])
        changes = {"area": grid, "area_code": grid.code, "unlocated": False, "queue_area": where.queue_area}
        if case.unit_id is None and case.status in (S.REPORTED, S.ACCEPTED):
            limits = routing.limits_for(case.category_id)
            changes["unit_id"] = routing.route(where.ancestors, limits) if limits else None
        return _apply(actor, case, Action.PLACE, data={"area": grid.code}, **changes)


def check_follow(actor, case) -> CaseFollower:
    """A resident follows an open public case instead of filing a duplicate (idempotent)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or case.status == S.REJECTED:
        raise Http404
    if case.status not in OPEN_STATUSES:
        raise CaseError("case_finished", _("This case is already finished."))
    if case.reporter_id == actor.pk:
        raise CaseError("own_case", _("You reported this case yourself."))
    return do_follow(actor, case)


def do_follow(actor, case) -> CaseFollower:
    with transaction.atomic():
        follower, created = CaseFollower.objects.get_or_create(case=case, user=actor)
        if created:
            record(case, actor, Action.FOLLOW, case.status)
    return follower
