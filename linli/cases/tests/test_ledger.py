"""民情台账: counts and rates of an area and period, by class and by child area."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from linli.accounts.choices import Role
from linli.cases.actions import perform
from linli.cases.queries import ledger
from linli.core.testing import make_person

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def at(month, day, clock="09:00"):
    hour, minute = map(int, clock.split(":"))
    return timezone.make_aware(datetime(2026, month, day, hour, minute))


@pytest.fixture
def november(tree, personas, report, photo_file, clock):
    """Street A in November 2026: two fixed (one on time and liked, one late, reworked and
    disliked), one overdue at the unit, one rejected, one fresh; plus a case in street B
    and one in December."""
    def step(who, case, action, **params):
        return perform(getattr(personas, who), case, action, **params)

    def fixed(category, grid, resolved_on, rework_on=None, rating=None):
        clock.now = at(11, 2)
        case = report(category=category, grid=grid)
        case = step("street_dispatcher", case, "accept")
        case = step("street_dispatcher", case, "dispatch", unit=personas.department)
        case = step("department_handler", case, "sign")
        if rework_on:
            clock.now = rework_on
            case = step("department_handler", case, "resolve", photos=[photo_file()])
            case = step("grid_worker" if grid == tree.grid_a1 else "street_dispatcher", case, "rework", reason="没修好")
        clock.now = resolved_on
        case = step("department_handler", case, "resolve", photos=[photo_file()])
        case = step("street_dispatcher", case, "verify")
        case = step("street_dispatcher", case, "close")
        if rating:
            case = step("resident", case, "rate", rating=rating)
        return case

    on_time = fixed("manhole", tree.grid_a1, at(11, 3), rating=5)  # due 4 Nov, fixed after 24 h
    late = fixed("greenery", tree.grid_a2, at(11, 10), rework_on=at(11, 5), rating=2)  # due 9 Nov, 192 h

    clock.now = at(11, 2)
    overdue = step("street_dispatcher", step("street_dispatcher", report(category="dispute"), "accept"), "dispatch",
                   unit=personas.department)  # due 16 Nov
    rejected = step("street_dispatcher", report(category="street-order"), "reject", reason="重复")
    other_resident = make_person("13900000071", "居民乙", Role.RESIDENT, tree.community_b)
    street_b = report(actor=other_resident, category="manhole", grid=tree.grid_b1)
    clock.now = at(12, 1)
    december = report(category="manhole")
    clock.now = at(11, 30, "08:00")
    fresh = report(category="street-order", grid=tree.grid_a2)  # accept due later today
    clock.now = at(11, 30, "08:30")
    return locals()


def row(rows, key):
    return next(r for r in rows if r.key == key)


def test_street_ledger(tree, november):
    result = ledger(tree.street_a, *NOVEMBER)
    assert (result.collected, result.resolved, result.rejected, result.open, result.overdue) == (5, 2, 1, 2, 1)
    # due in November: the on-time fix, the late fix, the overdue one (still open past 16 Nov)
    assert (result.due, result.on_time, result.late) == (3, 1, 2)
    assert result.on_time_rate == pytest.approx(1 / 3, abs=1e-4)
    assert result.satisfaction_rate == 0.5
    assert result.rework_rate == 0.5
    assert result.mean_handling_hours == pytest.approx((24 + 192) / 2)
    assert (result.key, result.name, result.area, result.date_from) == (tree.street_a.code, tree.street_a.name, tree.street_a, NOVEMBER[0])

    classes = {r.key: (r.collected, r.resolved, r.open, r.overdue) for r in result.by_category}
    assert classes == {
        "public-facilities": (1, 1, 0, 0),  # the manhole counts for its top-level class
        "greenery": (1, 1, 0, 0),
        "dispute": (1, 0, 1, 1),
        "street-order": (2, 0, 1, 0),
    }
    assert row(result.by_category, "greenery").rework_rate == 1.0
    assert [(r.key, r.collected) for r in result.by_child_area] == [(tree.community_a.code, 5)]


def test_community_ledger_by_grid(tree, november):
    result = ledger(tree.community_a.code, *NOVEMBER)
    grids = {r.key: (r.name, r.collected, r.resolved, r.satisfaction_rate) for r in result.by_child_area}
    assert grids == {
        tree.grid_a1.code: ("第一网格", 3, 1, 1.0),
        tree.grid_a2.code: ("第二网格", 2, 1, 0.0),
    }


def test_district_ledger_by_street(tree, november):
    result = ledger(tree.district, *NOVEMBER)
    assert result.collected == 6
    streets = {r.key: r.collected for r in result.by_child_area}
    assert streets == {tree.street_a.code: 5, tree.street_b.code: 1}


def test_empty_period(tree, november):
    result = ledger(tree.street_a, date(2025, 1, 1), date(2025, 1, 31))
    assert (result.collected, result.on_time_rate, result.satisfaction_rate, result.mean_handling_hours) == (0, None, None, None)
    assert result.by_category == []
    assert [r.collected for r in result.by_child_area] == [0]


def test_constant_number_of_queries(tree, november, report, django_assert_num_queries):
    with django_assert_num_queries(3):
        ledger(tree.street_a, *NOVEMBER)
    for category in ("manhole", "greenery", "dispute", "street-order"):
        report(category=category, grid=tree.grid_a2)
    with django_assert_num_queries(3):
        result = ledger(tree.street_a, *NOVEMBER)
    assert result.collected == 9


def test_on_time_rate_is_over_the_cases_due_in_the_period(tree, personas, report, photo_file, clock, november):
    """Not over the resolved only: an overdue open case counts against the rate (the ledger read
    100 % beside 4 overdue cases), and so does a late fix; a case due in the period counts even if
    reported before it, one due after it (or later than now) does not."""
    def step(who, case, action, **params):
        return perform(getattr(personas, who), case, action, **params)

    clock.now = at(10, 30)
    early = step("street_dispatcher", step("street_dispatcher", report(category="manhole"), "accept"), "dispatch",
                 unit=personas.department)
    assert early.resolve_due.month == 11  # reported in October, due in November
    clock.now = at(10, 31)
    early = step("department_handler", step("department_handler", early, "sign"), "resolve", photos=[photo_file()])
    clock.now = at(11, 30, "08:00")
    not_yet = step("street_dispatcher", step("street_dispatcher", report(category="dispute"), "accept"), "dispatch",
                   unit=personas.department)
    assert not_yet.resolve_due > at(11, 30, "08:30")
    clock.now = at(11, 30, "08:30")

    result = ledger(tree.street_a, *NOVEMBER)
    assert result.collected == 6  # the October case is not collected in November
    assert (result.due, result.on_time, result.late, result.overdue) == (4, 2, 2, 1)
    assert result.on_time_rate == 0.5
    # the same figures add up over the breakdowns
    assert sum(r.due for r in result.by_category) == 4 and sum(r.on_time for r in result.by_category) == 2
    assert row(result.by_category, "dispute").on_time_rate == 0.0  # the overdue one, nothing on time
    # October: the early case was reported then but is due in November
    october = ledger(tree.street_a, date(2026, 10, 1), date(2026, 10, 31))
    assert (october.collected, october.due, october.on_time_rate) == (1, 0, None)
    # a period that ends in the future counts only what is due by now
    through_december = ledger(tree.street_a, date(2026, 11, 1), date(2026, 12, 31))
    assert through_december.due == 4


def test_cases_in_no_grid_are_placed_by_community_outline_and_every_area_table_adds_up(
        tree, november, report, clock):
    """A report outside every grid lands on the community whose outline holds it (else the
    street), and the 按区域 rows have a 未定位 row, so they add up to the total."""
    from linli.cases.ledger import UNPLACED_KEY
    from linli.core.testing import square
    from linli.places.models import Area

    Area.objects.filter(pk=tree.community_a.pk).update(boundary=square(118.090, 24.465, size=0.02))
    clock.now = at(11, 20)
    in_community = report(category="street-order", lat=24.4660, lng=118.0910)  # in 坑内社区, in no grid
    assert (in_community.area, in_community.unlocated) == (tree.community_a, True)
    in_street = report(category="street-order", lat=24.4900, lng=118.1010)  # near street A, outside any outline
    assert in_street.area == tree.street_a and in_street.unlocated
    clock.now = at(11, 30, "08:30")
    for area in (tree.street_a, tree.community_a, tree.district):
        result = ledger(area, *NOVEMBER)
        assert sum(r.collected for r in result.by_child_area) == result.collected, area.name
        assert sum(r.open for r in result.by_child_area) == result.open
    street = ledger(tree.street_a, *NOVEMBER)
    assert [(r.key, r.collected) for r in street.by_child_area] == [(tree.community_a.code, 6), (UNPLACED_KEY, 1)]
    assert row(street.by_child_area, UNPLACED_KEY).name == "未定位"
