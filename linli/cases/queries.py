"""Reads of cases: scoped querysets, duplicate suggestions, counts. No writes.

cases_for(user) -> QuerySet[Case]
    What the user may see in staff lists: dispatchers (cases.dispatch) and verifiers (cases.verify)
    by area_code prefix of their scope, units (cases.handle) by lead or assisting unit in their
    organization subtree and the claim-board cases their units may claim, plus the user's own
    reports and followed cases. Residents: own + followed.
get_case_for(user, number) -> Case   (Http404 outside cases_for; public view decided by caller)
public_cases() -> QuerySet[Case]     (non-rejected cases; reporter never exposed)
suggest_duplicates(category, lat, lng, now=None) -> list[Case]
    same category, open, within DUPLICATE_RADIUS_METERS, reported in the last DUPLICATE_WITHIN_DAYS
    days; nearest first, each with `.distance` in metres.
ledger(area, date_from, date_to) -> Ledger   (see linli.cases.ledger)
queue_counts(queryset) -> dict[status, int]
board_for(user), inbox_for(user), verify_tasks_for(user), reports_of(user): the lists of the
    claim board, the unit inbox, the grid worker's round, the resident's "my reports".
"""

from __future__ import annotations

import math
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from linli.core.scoping import scope_for

from .choices import (
    CLAIMABLE_STATUSES,
    DUPLICATE_RADIUS_METERS,
    DUPLICATE_WITHIN_DAYS,
    OPEN_STATUSES,
    CaseStatus,
    Channel,
)
from .ledger import Ledger, ledger  # noqa: F401  (part of this module's interface)
from .models import Case, CaseAssist, CaseFollower
from .parties import board_q, unit_ids_of

# What a case page needs in the same query.
DETAIL_RELATED = ("category", "area", "queue_area", "unit", "board_area", "reporter")


def _nothing():
    return Q(pk__in=[])


def _units_q(user):
    ids = sorted(unit_ids_of(user))
    if not ids:
        return _nothing()
    return Q(unit_id__in=ids) | Q(Exists(CaseAssist.objects.filter(case=OuterRef("pk"), unit_id__in=ids)))


def _own_q(user):
    return Q(reporter=user) | Q(Exists(CaseFollower.objects.filter(case=OuterRef("pk"), user=user)))


def _sees_everything(user):
    return any(scope_for(user, c).is_global for c in ("cases.dispatch", "cases.verify", "cases.handle"))


def staff_q(user) -> Q:
    """The staff part of `cases_for` (not for a global scope): by area for dispatchers and
    verifiers, by unit for units (lead, assisting, or able to claim from a board)."""
    dispatch, verify, handle = (scope_for(user, c) for c in ("cases.dispatch", "cases.verify", "cases.handle"))
    condition = _nothing()
    condition |= _area_prefix_q(set(dispatch.area_codes) | set(verify.area_codes))
    if not handle.is_empty:
        condition |= _units_q(user) | board_q(user)
    return condition


def cases_for(user):
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    if _sees_everything(user):
        return Case.objects.all()
    # Following is a subscription to news, not access: a followed case is seen as the public sees it.
    return Case.objects.filter(staff_q(user) | Q(reporter=user) | Q(verifier_id=user.pk))


def listed_for(user):
    """The rows of a person's case list: those they may open in full, and those they follow (a
    row carries no notes and no names; opening a followed one gives its public view)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    if _sees_everything(user):
        return Case.objects.all()
    return Case.objects.filter(staff_q(user) | _own_q(user) | Q(verifier_id=user.pk))


def followed_public(user, number):
    """A case the user follows, for its public view (None when they do not follow it)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return public_cases().select_related(*DETAIL_RELATED).filter(
        number=str(number), followers__user=user).first()


def desk_for(user):
    """The cases on the user's desk: `cases_for` without their own reports and follows.

    The dispatch queue lists and counts these; leaving out the OR with the personal
    part lets PostgreSQL answer from the `case_queue` index (bench/queue.py).
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    if _sees_everything(user):
        return Case.objects.all()
    return Case.objects.filter(staff_q(user))


def get_case_for(user, number) -> Case:
    try:
        return cases_for(user).select_related(*DETAIL_RELATED).get(number=str(number))
    except Case.DoesNotExist:
        raise Http404 from None


def public_cases():
    """Cases anyone may look at (not rejected). Serializers of this view never show the reporter."""
    return Case.objects.exclude(status=CaseStatus.REJECTED)


def _area_prefix_q(codes, field="area_code"):
    """Codes as prefixes, one per subtree (a code under another adds nothing)."""
    condition = _nothing()
    for code in sorted(codes):
        if not any(code != other and code.startswith(other) for other in codes):
            condition |= Q(**{f"{field}__startswith": code})
    return condition


def board_for(user):
    """The claim board: published cases one of the user's units may claim now, and those a
    dispatcher published or may publish (their area's board, watched read-only)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    published = Q(status__in=CLAIMABLE_STATUSES, board_area__isnull=False)
    if scope_for(user, "cases.handle").is_global or scope_for(user, "cases.dispatch").is_global:
        return Case.objects.filter(published)
    condition = board_q(user)
    codes = scope_for(user, "cases.dispatch").area_codes
    if codes:
        condition |= published & (_area_prefix_q(codes) | _area_prefix_q(codes, "board_area__code"))
    return Case.objects.filter(condition)


def claimable_on_board(user):
    """The board's cases the user may claim (the rest they only watch)."""
    if scope_for(user, "cases.handle").is_global:
        return Case.objects.filter(status__in=CLAIMABLE_STATUSES, board_area__isnull=False)
    return Case.objects.filter(board_q(user))


def inbox_for(user):
    """Cases the user's units lead or assist."""
    if scope_for(user, "cases.handle").is_global:
        return Case.objects.exclude(unit=None)
    return Case.objects.filter(_units_q(user))


def verify_tasks_for(user):
    """Resolved cases waiting for the user's check on site: in their verify scope and not sent to
    another worker, or sent to them by their grid leader."""
    scope = scope_for(user, "cases.verify")
    in_scope = scope.filter(Case.objects.filter(status=CaseStatus.RESOLVED), area_path=None, area_code="area_code")
    mine = in_scope.filter(Q(verifier__isnull=True) | Q(verifier_id=user.pk))
    return Case.objects.filter(Q(pk__in=mine.values("pk")) | Q(status=CaseStatus.RESOLVED, verifier_id=user.pk))


def reports_of(user):
    """The user's own reports and the cases they follow."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return Case.objects.filter(_own_q(user))


def queue_counts(queryset) -> dict:
    """Cases per status in the queryset, one query: {status: count}."""
    rows = queryset.order_by().values_list("status").annotate(n=Count("id"))
    return {status: n for status, n in rows}


# -- duplicates ------------------------------------------------------------------------------------

EARTH_RADIUS_METERS = 6_371_008.8


def haversine_meters(lat1, lng1, lat2, lng2) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_METERS * math.asin(min(1.0, math.sqrt(a)))


def suggest_duplicates(category, lat, lng, now=None, radius=DUPLICATE_RADIUS_METERS, limit=10) -> list[Case]:
    """Open cases of the same category near the point: a bounding box in SQL, then the
    exact distance in Python."""
    from linli.places.locate import clean_point

    point = clean_point(lat, lng)
    category_id = getattr(category, "pk", category)
    if point is None or category_id in (None, ""):
        return []
    if isinstance(category_id, str):
        from .models import Category

        category_id = Category.objects.filter(code=category_id).values_list("pk", flat=True).first()
        if category_id is None:
            return []
    lat, lng = point
    now = now or timezone.now()
    dlat = radius / 111_320.0 * 1.01
    dlng = dlat / max(math.cos(math.radians(lat)), 1e-6)
    candidates = Case.objects.filter(
        category_id=category_id,
        status__in=OPEN_STATUSES,
        created_at__gte=now - timedelta(days=DUPLICATE_WITHIN_DAYS),
        lat__range=(lat - dlat, lat + dlat),
        lng__range=(lng - dlng, lng + dlng),
    ).select_related("category", "area")[:200]
    found = []
    for case in candidates:
        case.distance = haversine_meters(lat, lng, case.lat, case.lng)
        if case.distance <= radius:
            found.append(case)
    found.sort(key=lambda case: (case.distance, -case.pk))
    return found[:limit]


# -- the grid leader (网格长) ----------------------------------------------------------------------

WORKER_ROLES = ("grid_worker", "mobile_grid_worker")


def grid_workers_led_by(user) -> list:
    """The grid workers (and mobile grid workers) on areas the user leads, by name; each with
    `.worker_areas`, the codes of the areas they work."""
    from linli.accounts.models import RoleAssignment, User

    lead = scope_for(user, "cases.lead_grid")
    if lead.is_empty:
        return []
    rows = RoleAssignment.objects.filter(role__in=WORKER_ROLES, area__isnull=False, user__is_active=True)
    if not lead.is_global:
        rows = lead.filter(rows, area_path="area__path")
    areas: dict[int, list[str]] = {}
    for user_id, code in rows.values_list("user_id", "area__code"):
        areas.setdefault(user_id, []).append(code)
    workers = list(User.objects.filter(pk__in=areas).order_by("name", "pk"))
    for worker in workers:
        worker.worker_areas = sorted(areas[worker.pk])
    return workers


def grid_overview(user, now=None):
    """What a grid leader watches, in a fixed number of queries: each worker's open checks and how
    many are late (resolved more than settings.CASES_VERIFY_WITHIN_WORKING_HOURS working hours
    ago), this week's patrols per grid, and the fixes waiting for a check in the leader's area."""
    from django.conf import settings
    from django.db.models import Max
    from django.db.models.functions import TruncDate

    from linli.core import calendar
    from linli.places.choices import AreaLevel
    from linli.places.models import Area

    now = now or timezone.now()
    lead = scope_for(user, "cases.lead_grid")
    waiting = list(
        lead.filter(Case.objects.filter(status=CaseStatus.RESOLVED), area_path=None, area_code="area_code")
        .select_related("category", "area", "verifier").order_by("resolved_at", "id")[:200]
    )
    for case in waiting:
        due = calendar.add_working_hours(case.resolved_at, settings.CASES_VERIFY_WITHIN_WORKING_HOURS)
        case.check_late = due < now
    workers = grid_workers_led_by(user)
    for worker in workers:
        mine = [case for case in waiting if case.verifier_id == worker.pk or (
            case.verifier_id is None and any(case.area_code.startswith(code) for code in worker.worker_areas))]
        worker.open_checks, worker.late_checks = len(mine), sum(case.check_late for case in mine)
    grids = list(lead.filter(Area.objects.filter(level=AreaLevel.GRID), area_path="path").order_by("code")[:200])
    week_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    week_start -= timedelta(days=week_start.weekday())
    patrols = {
        row["area_code"]: row for row in Case.objects.filter(
            channel=Channel.PATROL, created_at__gte=week_start, area_code__in=[grid.code for grid in grids])
        .values("area_code").annotate(n=Count("id"), days=Count(TruncDate("created_at"), distinct=True),
                                      last=Max("created_at")).order_by()
    }
    coverage = [(grid, patrols.get(grid.code, {"n": 0, "days": 0, "last": None})) for grid in grids]
    return {"workers": workers, "waiting": waiting, "coverage": coverage, "week_start": week_start,
            "patrolled": sum(1 for _grid, row in coverage if row["n"])}
