"""Routing precedence, inherited limits, queues, and due times in working time."""

from datetime import date, datetime

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.cases import routing

from linli.cases.actions import check_set_routing_rule, do_set_routing_rule, perform
from linli.cases.choices import CaseStatus, Priority
from linli.cases.models import Category
from linli.cases.routing import escalation_target, limits_for, nearest_grid_code
from linli.core.models import CalendarDay
from linli.orgs.actions import do_create_organization, do_create_pairing


@pytest.fixture
def units(tree, personas):
    def unit(name, area):
        return do_create_organization(parent=None, name=name, kind="department", area=area)

    return {
        "street_any": unit("街道综合执法队", tree.street_a),
        "street_component": personas.department,
        "street_manhole": unit("市政养护公司", tree.street_a),
        "community_any": unit("坑内社区居委会", tree.community_a),
        "community_facilities": unit("社区物业", tree.community_a),
        "city_any": unit("市城管局", tree.city),
    }


@pytest.fixture
def rules(tree, categories, units):
    def rule(area, category, unit):
        return do_set_routing_rule(area=area, category=category, unit=units[unit])

    rule(tree.city, None, "city_any")
    rule(tree.street_a, None, "street_any")
    rule(tree.street_a, categories.component, "street_component")
    rule(tree.street_a, categories.manhole, "street_manhole")
    rule(tree.community_a, None, "community_any")
    rule(tree.community_a, categories.public_facilities, "community_facilities")


@pytest.mark.parametrize(
    "category, grid, expected",
    [
        # the deepest area wins before the deepest category: community rules beat the street's manhole rule
        ("manhole", "grid_a1", "community_facilities"),  # rule on the parent class applies to the subclass
        ("public-facilities", "grid_a2", "community_facilities"),
        ("greenery", "grid_a1", "community_any"),  # a component, but the community's catch-all is deeper
        ("street-order", "grid_a1", "community_any"),
        ("dispute", "grid_b1", "city_any"),  # street B: only the city's catch-all
    ],
)
def test_the_most_specific_rule_wins(tree, report, units, rules, category, grid, expected):
    case = report(category=category, grid=getattr(tree, grid))
    assert case.unit == units[expected]
    assert case.queue_area == (tree.street_b if grid == "grid_b1" else tree.street_a)


def test_category_depth_decides_within_one_area(tree, report, units, categories):
    do_set_routing_rule(area=tree.street_a, category=None, unit=units["street_any"])
    do_set_routing_rule(area=tree.street_a, category=categories.component, unit=units["street_component"])
    do_set_routing_rule(area=tree.street_a, category=categories.manhole, unit=units["street_manhole"])
    assert report(category="manhole").unit == units["street_manhole"]
    assert report(category="greenery").unit == units["street_component"]
    assert report(category="dispute").unit == units["street_any"]


def test_no_rule_goes_to_the_street_command_center(tree, report):
    case = report(category="manhole")
    assert case.unit is None and case.queue_area == tree.street_a


def test_limits_and_priority_are_inherited(categories):
    manhole = limits_for("manhole")
    assert (manhole.accept_hours, manhole.resolve_days, manhole.priority) == (4, 2, Priority.URGENT)
    facilities = limits_for(categories.public_facilities)
    assert (facilities.accept_hours, facilities.resolve_days, facilities.priority) == (4, 5, Priority.NORMAL)
    dispute = limits_for(categories.dispute.pk)
    assert (dispute.accept_hours, dispute.resolve_days, dispute.priority) == (8, 10, Priority.LOW)
    assert limits_for("retired") is None and limits_for("nothing") is None


def test_escalation_targets(tree):
    assert escalation_target(tree.community_a) == tree.street_a
    assert escalation_target(tree.street_a) == tree.city
    assert escalation_target(tree.district) == tree.city
    assert escalation_target(tree.city) is None
    assert escalation_target(None) is None


def test_nearest_grid(tree):
    assert nearest_grid_code(24.456, 118.070) == tree.grid_b1.code
    assert nearest_grid_code(24.471, 118.110) == tree.grid_a2.code
    assert nearest_grid_code("x", None) is None


def test_paired_units_do_not_change_routing(tree, report, units):
    # pairing (包片联村) matters for the claim board, not for routing rules
    do_create_pairing(units["city_any"], "area_link", area=tree.community_a)
    assert report().unit is None


# -- due times in working time (08:30–12:00, 14:00–17:30) ---------------------------------------


def at(day, clock):
    hour, minute = map(int, clock.split(":"))
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


FRIDAY = date(2026, 11, 20)
SATURDAY, MONDAY, TUESDAY, THURSDAY = date(2026, 11, 21), date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 19)


def test_accept_due_across_a_weekend(report, clock):
    clock.now = at(FRIDAY, "16:30")
    case = report(category="manhole")  # accept within 4 working hours: 1 h on Friday, 3 on Monday
    assert case.accept_due == at(MONDAY, "11:30")


def test_accept_due_across_a_holiday(report, clock):
    CalendarDay.objects.create(date=MONDAY, is_workday=False, note="假日")
    clock.now = at(FRIDAY, "16:30")
    assert report(category="manhole").accept_due == at(TUESDAY, "11:30")


def test_accept_due_on_a_swapped_working_day(report, clock):
    CalendarDay.objects.create(date=SATURDAY, is_workday=True, note="调休上班")
    clock.now = at(FRIDAY, "16:30")
    assert report(category="manhole").accept_due == at(SATURDAY, "11:30")


def test_resolve_due_is_set_on_dispatch(case_at, personas, clock):
    clock.now = at(THURSDAY, "10:00")
    case = case_at(CaseStatus.ACCEPTED, category="manhole")  # resolve within 2 working days
    assert case.resolve_due is None
    case = perform(personas.street_dispatcher, case, "dispatch", unit=personas.department)
    assert case.resolve_due == at(MONDAY, "10:00")


def test_resolve_due_across_a_holiday_and_a_swapped_day(case_at, personas, clock):
    CalendarDay.objects.create(date=MONDAY, is_workday=False, note="假日")
    clock.now = at(THURSDAY, "10:00")
    case = case_at(CaseStatus.ACCEPTED, category="manhole")
    assert perform(personas.street_dispatcher, case, "dispatch", unit=personas.department).resolve_due == at(TUESDAY, "10:00")
    CalendarDay.objects.create(date=SATURDAY, is_workday=True, note="调休上班")
    case = case_at(CaseStatus.ACCEPTED, category="manhole")
    assert perform(personas.street_dispatcher, case, "dispatch", unit=personas.department).resolve_due == at(SATURDAY, "10:00")


def test_a_rule_is_set_once_per_area_and_category_and_only_by_its_dispatchers(tree, personas, categories):
    rule = check_set_routing_rule(
        personas.street_dispatcher, area=tree.street_a, category=categories.component, unit=personas.department
    )
    again = do_set_routing_rule(area=tree.street_a, category=categories.component, unit=personas.federation)
    assert again.pk == rule.pk and again.unit == personas.federation
    with pytest.raises(Http404):
        check_set_routing_rule(
            personas.other_street_dispatcher, area=tree.street_a, category=None, unit=personas.department
        )


# -- the per-process cache of categories and rules ------------------------------------------------


def test_an_intake_reads_neither_categories_nor_rules_once_the_cache_is_warm(report, routing_rules):
    report()  # warms the cache
    with CaptureQueriesContext(connection) as captured:
        case = report(category="manhole")
    tables = " ".join(query["sql"] for query in captured.captured_queries)
    assert "cases_category" not in tables and "cases_routingrule" not in tables
    assert case.unit_id is not None  # still routed by the rule


def test_a_change_saved_in_this_process_is_seen_at_once(categories, units, tree, report):
    assert report(category="manhole").unit_id is None
    do_set_routing_rule(area=tree.street_a, category=categories.manhole, unit=units["street_manhole"])
    assert report(category="manhole").unit_id == units["street_manhole"].pk
    categories.manhole.is_active = False
    categories.manhole.save()  # as the admin's change form does
    assert limits_for("manhole") is None


def test_a_change_made_elsewhere_is_seen_after_the_cache_period(settings, monkeypatch, categories):
    settings.ROUTING_CACHE_SECONDS = 3600
    assert limits_for("manhole") is not None
    # Another process changes the table (a queryset update sends no signal here).
    Category.objects.filter(code="manhole").update(is_active=False)
    assert limits_for("manhole") is not None  # this process still trusts its copy
    settings.ROUTING_CACHE_SECONDS = 0
    assert limits_for("manhole") is None
    # A code this process has never seen is looked up again at once (at most once a second).
    settings.ROUTING_CACHE_SECONDS = 3600
    monkeypatch.setattr(routing, "MISS_RELOAD_SECONDS", 0)
    Category.objects.filter(code="dispute").update(code="neighbour-dispute")
    assert limits_for("neighbour-dispute").category.pk == categories.dispute.pk
