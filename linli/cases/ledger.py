"""民情台账: the register of an area's cases over a period, in a constant number of queries.

Of the cases reported in the period (`collected`) under the area:
    resolved            a fix was reported (resolved, verified or closed)
    rejected            refused at intake
    open                neither resolved nor rejected
    overdue             open and past the limit running now (accept or resolve)
    due                 (not only those reported in the period) whose resolve limit fell in the
                        period, up to now: the cases that had to be resolved by then (应办结)
    on_time             of the due, resolved by their limit; late = due − on_time (still open
                        past the limit, or resolved after it)
    on_time_rate        on_time / due (按期办结率): a case past its limit always counts against it
    satisfaction_rate   rated 4 or 5 / rated, residents' own reports only (not STAFF_CHANNELS)
    rework_rate         sent back for rework at least once / resolved
    mean_handling_hours mean of resolved_at − created_at over the resolved
by_category groups on the top-level class (部件/事件 → 公用设施 …) and by_child_area on the
area's children (by the prefix of `area_code` as long as the children's codes). One scan
of the cases in SQL, grouped by (category, child area), rolled up in Python: three queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext

from linli.places.models import Area

from .choices import ACCEPT_CLOCK_STATUSES, RESOLVE_CLOCK_STATUSES, STAFF_CHANNELS, CaseStatus
from .models import Case, Category

METRICS = ("collected", "resolved", "rejected", "open", "overdue", "due", "on_time", "rated", "satisfied", "reworked")


UNPLACED_KEY = "unplaced"  # the by-area row of cases on the area itself, on no child area yet


@dataclass
class LedgerRow:
    key: str  # category code or area code
    name: str
    collected: int = 0
    resolved: int = 0
    rejected: int = 0
    open: int = 0
    overdue: int = 0
    due: int = 0
    on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    reworked: int = 0
    mean_handling_hours: float | None = None

    @property
    def late(self):
        return self.due - self.on_time

    @property
    def on_time_rate(self):
        return _rate(self.on_time, self.due)

    @property
    def satisfaction_rate(self):
        return _rate(self.satisfied, self.rated)

    @property
    def rework_rate(self):
        return _rate(self.reworked, self.resolved)


@dataclass
class Ledger(LedgerRow):
    area: Area | None = None
    date_from: date | None = None
    date_to: date | None = None
    now: datetime | None = None  # the moment "due" and "overdue" were counted at
    by_category: list[LedgerRow] = field(default_factory=list)
    by_child_area: list[LedgerRow] = field(default_factory=list)


def _rate(part, whole):
    return round(part / whole, 4) if whole else None


def _aggregates(start, end, now):
    # every count but the due ones is of the cases reported in the period
    collected = Q(created_at__gte=start, created_at__lt=end)
    due = Q(resolve_due__gte=start, resolve_due__lt=min(end, now))
    resolved = collected & Q(resolved_at__isnull=False)
    open_ = collected & Q(resolved_at__isnull=True) & ~Q(status=CaseStatus.REJECTED)
    late = Q(status__in=ACCEPT_CLOCK_STATUSES, accept_due__lt=now) | Q(
        status__in=RESOLVE_CLOCK_STATUSES, resolve_due__lt=now
    )
    handling = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    residents = collected & ~Q(channel__in=STAFF_CHANNELS)
    return {
        "collected": Count("id", filter=collected),
        "resolved": Count("id", filter=resolved),
        "rejected": Count("id", filter=collected & Q(status=CaseStatus.REJECTED)),
        "open": Count("id", filter=open_),
        "overdue": Count("id", filter=open_ & late),
        "due": Count("id", filter=due),
        "on_time": Count("id", filter=due & Q(resolved_at__lte=F("resolve_due"))),
        # a resident's own rating only: staff reports are never rated by staff (choices.STAFF_CHANNELS)
        "rated": Count("id", filter=residents & Q(rating__isnull=False)),
        "satisfied": Count("id", filter=residents & Q(rating__gte=4)),
        "reworked": Count("id", filter=resolved & Q(rework_count__gt=0)),
        # a sum, not a mean: groups add up (mean = handling / resolved)
        "handling": Sum(handling, filter=resolved),
    }


def _seconds(value):
    if value is None:
        return 0.0
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value) / 1_000_000  # microseconds (SQLite)


def _add(row: LedgerRow, values: dict) -> None:
    for name in METRICS:
        setattr(row, name, getattr(row, name) + (values.get(name) or 0))
    row._handling_seconds = getattr(row, "_handling_seconds", 0.0) + _seconds(values.get("handling"))


def _finish(row: LedgerRow) -> LedgerRow:
    seconds = getattr(row, "_handling_seconds", 0.0)
    row.mean_handling_hours = round(seconds / row.resolved / 3600, 2) if row.resolved else None
    return row


def _bounds(date_from, date_to):
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(date_from, time.min), zone)
    end = timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min), zone)
    return start, end


def _counted(area_code, start, end, now):
    """The cases a ledger counts: under the area, reported in the period or due in it."""
    return Case.objects.filter(area_code__startswith=area_code).filter(
        Q(created_at__gte=start, created_at__lt=end) | Q(resolve_due__gte=start, resolve_due__lt=min(end, now))
    )


def ledger(area, date_from, date_to, now=None) -> Ledger:
    """The ledger of `area` (an Area or its code) for the days date_from..date_to (included).

    One scan of the cases (reported in the period, or due in it), grouped by category and by the child area's code prefix;
    totals, classes and child areas are rolled up from those groups (counts and summed
    durations add up). Three queries in all, whatever the number of cases.
    """
    if not isinstance(area, Area):
        area = Area.objects.get(code=str(area))
    now = now or timezone.now()
    start, end = _bounds(date_from, date_to)
    children = list(Area.objects.filter(path__startswith=area.path, depth=area.depth + 1).order_by("code"))
    length = len(children[0].code) if children else len(area.code)
    grouped = (
        _counted(area.code, start, end, now)
        .annotate(child=Substr("area_code", 1, length))
        .order_by()
        .values("category_id", "child")
        .annotate(**_aggregates(start, end, now))
    )
    result = Ledger(key=area.code, name=area.name, area=area, date_from=date_from, date_to=date_to, now=now)
    by_child = {child.code: LedgerRow(key=child.code, name=child.name) for child in children}
    # Cases on the area itself (no grid found: 待定位) get a row of their own, so the rows add up.
    unplaced = LedgerRow(key=UNPLACED_KEY, name=gettext("Not located"))
    by_class: dict[str, LedgerRow] = {}
    rows = list(grouped)
    # the top-level class of each category: the first two steps of its path
    class_length = 2 * Category.steplen
    categories = {c.pk: c for c in Category.objects.only("path", "depth", "code", "name")} if rows else {}
    classes = {c.path: c for c in categories.values() if c.depth <= 2}
    for values in rows:
        _add(result, values)
        _add(by_child.get(values["child"], unplaced), values)
        category = categories.get(values["category_id"])
        top = classes.get(category.path[:class_length]) if category else None
        key = top.code if top else str(values["category_id"])
        if key not in by_class:
            by_class[key] = LedgerRow(key=key, name=top.name if top else key)
        _add(by_class[key], values)
    _finish(result)
    result.by_category = sorted((_finish(row) for row in by_class.values()), key=lambda row: (-row.collected, row.key))
    result.by_child_area = [_finish(row) for row in by_child.values()]
    if unplaced.collected or unplaced.due:
        result.by_child_area.append(_finish(unplaced))
    return result


def ledger_cases(result: Ledger):
    """The individual cases `result` counted (reported in its period, or due in it), oldest
    first, with what a register row shows, in one query."""
    now = result.now or timezone.now()
    start, end = period_bounds(result)
    return (
        _counted(result.area.code, start, end, now)
        .select_related("category", "area", "unit", "reporter")
        .order_by("created_at", "id")
    )


def period_bounds(result: Ledger):
    """The period of a ledger as [start, end) aware datetimes."""
    return _bounds(result.date_from, result.date_to)


def timeliness(case, start, end, now):
    """How a case stands against its limits, as the ledger counts it: (collected in the period,
    due in it, on time, overdue now)."""
    collected = start <= case.created_at < end
    due = case.resolve_due is not None and start <= case.resolve_due < min(end, now)
    on_time = due and case.resolved_at is not None and case.resolved_at <= case.resolve_due
    overdue_now = case.resolved_at is None and case.status != CaseStatus.REJECTED and (
        (case.status in ACCEPT_CLOCK_STATUSES and case.accept_due is not None and case.accept_due < now)
        or (case.status in RESOLVE_CLOCK_STATUSES and case.resolve_due is not None and case.resolve_due < now)
    )
    return collected, due, on_time, overdue_now
