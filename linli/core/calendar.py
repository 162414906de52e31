"""Working time: Monday–Friday inside `settings.WORKING_HOURS`, except the
CalendarDay rows (public holidays off, swapped weekend working days 调休 on).

is_workday(day: date) -> bool
    Monday–Friday, except CalendarDay rows (holidays off, 调休 swapped weekend days on).
add_working_hours(start: datetime, hours: float) -> datetime
    `hours` of working time after `start` (working hours: settings.WORKING_HOURS).
add_working_days(start: datetime, days: int) -> datetime
    the same clock time `days` working days later (moved into working hours when outside).
working_hours_between(start: datetime, end: datetime) -> float
    working hours in [start, end]; negative when end is before start.

Also: next_working_moment(dt), is_working_time(dt), invalidate_calendar().

Datetimes are aware; results are aware in the local zone (settings.TIME_ZONE,
Asia/Shanghai). A naive datetime is a programming error and raises ValueError.

The exceptions (the whole CalendarDay table: some thirty rows a year) live in
the Django cache, so one computation costs at most one query and none once
cached. Saving or deleting a CalendarDay drops the cached copy (signals below);
`load_calendar` and the data migration call `invalidate_calendar()` themselves.
With a per-process cache (no Redis) other processes see edits within
`settings.CALENDAR_CACHE_SECONDS`.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import CalendarDay

logger = logging.getLogger(__name__)

CACHE_KEY = "linli:core:calendar:v1"
# A computation that walks further than this without finding working time is
# a configuration error (e.g. a whole year marked as holidays), not a loop.
MAX_DAYS_SCANNED = 3 * 366

_warned_years: set[int] = set()


# -- configuration -------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _parse_windows(spec) -> tuple[tuple[time, time], ...]:
    windows = []
    for start, end in spec:
        start, end = time.fromisoformat(start), time.fromisoformat(end)
        if not start < end:
            raise ValueError(f"WORKING_HOURS: {start} is not before {end}")
        if windows and start < windows[-1][1]:
            raise ValueError("WORKING_HOURS windows must be in order and must not overlap")
        windows.append((start, end))
    if not windows:
        raise ValueError("WORKING_HOURS is empty")
    return tuple(windows)


def working_windows() -> tuple[tuple[time, time], ...]:
    """settings.WORKING_HOURS as ordered (start, end) times."""
    return _parse_windows(tuple(tuple(pair) for pair in settings.WORKING_HOURS))


def _day_length(windows) -> timedelta:
    anchor = date(2000, 1, 3)
    return sum((datetime.combine(anchor, e) - datetime.combine(anchor, s) for s, e in windows), timedelta())


@lru_cache(maxsize=4)
def _zone(name) -> ZoneInfo:
    return ZoneInfo(name)


def local_zone() -> ZoneInfo:
    return _zone(settings.TIME_ZONE)


def _local(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("working-time functions need aware datetimes")
    return value.astimezone(local_zone())


def _dt(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=local_zone())


# -- the exceptions table --------------------------------------------------------------------


class _Invalidate:
    """The on_commit callback that drops the cache; it knows whether it ran (test
    helpers run callbacks without taking them off the connection's list)."""

    __slots__ = ("done",)

    def __init__(self):
        self.done = False

    def __call__(self):
        self.done = True
        invalidate_calendar()


def _pending_calendar_writes(using=DEFAULT_DB_ALIAS) -> bool:
    """Whether this transaction changed CalendarDay rows not yet committed.

    Such a transaction may still roll back, so what it reads must not go into
    the shared cache. The marker is our own on_commit callback: Django drops it
    on rollback (also of a savepoint) and runs it on commit.
    """
    connection = connections[using]
    return any(
        isinstance(callback, _Invalidate) and not callback.done for _sids, callback, _robust in connection.run_on_commit
    )


class Table(dict):
    """{date: is_workday} for every CalendarDay row, and the years they cover."""

    def __init__(self, rows=()):
        super().__init__(rows)
        self.years = frozenset(day.year for day in self)

    def __reduce__(self):  # pickled into the cache as plain rows
        return (Table, (list(self.items()),))


def exceptions() -> Table:
    """Every CalendarDay row as {date: is_workday}; cached."""
    try:
        table = cache.get(CACHE_KEY)
    except Exception as error:  # noqa: BLE001 — Redis down must not fail an intake: read the table
        logger.warning("Calendar cache unavailable (%s); reading the calendar table.", error)
        return Table(CalendarDay.objects.values_list("date", "is_workday"))
    if table is None:
        table = Table(CalendarDay.objects.values_list("date", "is_workday"))
        if not _pending_calendar_writes():
            try:
                cache.set(CACHE_KEY, table, settings.CALENDAR_CACHE_SECONDS)
            except Exception as error:  # noqa: BLE001
                logger.warning("Calendar cache unavailable (%s).", error)
    return table


def invalidate_calendar() -> None:
    """Drop the cached exceptions (after a bulk change that sends no signals)."""
    try:
        cache.delete(CACHE_KEY)
    except Exception as error:  # noqa: BLE001 — a stale copy expires after CALENDAR_CACHE_SECONDS
        logger.warning("Calendar cache unavailable (%s); a cached calendar may be stale.", error)


@receiver([post_save, post_delete], sender=CalendarDay, dispatch_uid="linli.core.calendar.invalidate")
def _calendar_day_changed(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    invalidate_calendar()  # this process stops using the old table now...
    if not _pending_calendar_writes(using):
        # ...and everyone drops whatever they cached meanwhile once it commits.
        transaction.on_commit(_Invalidate(), using=using)


def _is_workday(day: date, table: Table) -> bool:
    known = table.get(day)
    if known is not None:
        return known
    if table and day.year not in table.years and day.year not in _warned_years:
        # Holidays are announced yearly; without them due times count every weekday.
        _warned_years.add(day.year)
        logger.warning("No public holidays loaded for %s; see `manage.py load_calendar`.", day.year)
    return day.weekday() < 5


def is_workday(day: date) -> bool:
    """Monday–Friday, except CalendarDay rows. A datetime counts by its local date."""
    if isinstance(day, datetime):
        day = _local(day).date()
    return _is_workday(day, exceptions())


# -- computations ------------------------------------------------------------------------------


def _next_working_moment(moment: datetime, table, windows) -> datetime:
    """`moment` when it is inside a working window (start included, end not),
    else the start of the next window."""
    day = moment.date()
    for _ in range(MAX_DAYS_SCANNED):
        if _is_workday(day, table):
            for start, end in windows:
                window_start, window_end = _dt(day, start), _dt(day, end)
                if moment < window_end:
                    return max(moment, window_start)
        day += timedelta(days=1)
    raise ValueError("no working time found within %d days" % MAX_DAYS_SCANNED)


def next_working_moment(moment: datetime) -> datetime:
    """The first moment at or after `moment` that is inside working hours."""
    return _next_working_moment(_local(moment), exceptions(), working_windows())


def is_working_time(moment: datetime) -> bool:
    moment = _local(moment)
    return _next_working_moment(moment, exceptions(), working_windows()) == moment


def add_working_hours(start: datetime, hours: float) -> datetime:
    """The moment when `hours` of working time have passed since `start`.

    Time outside working hours does not count: Friday 17:00 + 1 h is Monday 09:00
    (or later after a holiday). A limit that ends exactly at a window's end gives
    that end (12:00), not the start of the next window.
    """
    if hours < 0:
        raise ValueError("hours must not be negative")
    cursor = _local(start)
    remaining = timedelta(hours=hours)
    if not remaining:
        return cursor
    table, windows = exceptions(), working_windows()
    full_day = _day_length(windows)
    day = cursor.date()
    idle_days = 0
    while True:
        if not _is_workday(day, table):
            idle_days += 1
            if idle_days > MAX_DAYS_SCANNED:
                raise ValueError("no working time found within %d days" % MAX_DAYS_SCANNED)
        elif remaining > full_day and cursor <= _dt(day, windows[0][0]):
            remaining -= full_day  # a whole working day: skip it in one step
            idle_days = 0
        else:
            idle_days = 0
            for start_clock, end_clock in windows:
                window_start, window_end = max(cursor, _dt(day, start_clock)), _dt(day, end_clock)
                if window_start >= window_end:
                    continue
                available = window_end - window_start
                if remaining <= available:
                    return window_start + remaining
                remaining -= available
        day += timedelta(days=1)
        cursor = _dt(day, time.min)


def add_working_days(start: datetime, days: int) -> datetime:
    """The same clock time `days` working days later.

    A start outside working hours first moves to the next working moment, so
    Saturday 10:00 + 1 day is Tuesday 08:30 (a holiday or 调休 shifts it).
    """
    if days < 0:
        raise ValueError("days must not be negative")
    table, windows = exceptions(), working_windows()
    moment = _next_working_moment(_local(start), table, windows)
    day, clock = moment.date(), moment.time()
    scanned = 0
    while days:
        day += timedelta(days=1)
        scanned += 1
        if scanned > MAX_DAYS_SCANNED:
            raise ValueError("no working day found within %d days" % MAX_DAYS_SCANNED)
        if _is_workday(day, table):
            days -= 1
    return _dt(day, clock)


def working_hours_between(start: datetime, end: datetime) -> float:
    """Working hours from `start` to `end` (negative when `end` comes first)."""
    start, end = _local(start), _local(end)
    if end < start:
        return -working_hours_between(end, start)
    table, windows = exceptions(), working_windows()
    total = timedelta()
    day = start.date()
    while day <= end.date():
        if _is_workday(day, table):
            for start_clock, end_clock in windows:
                low = max(start, _dt(day, start_clock))
                high = min(end, _dt(day, end_clock))
                if high > low:
                    total += high - low
        day += timedelta(days=1)
    return total.total_seconds() / 3600
