"""红色积分榜 by month, quarter and year over an area's subtree, and each person's statement:
both in a fixed number of queries, whatever the number of rows."""

from datetime import date, datetime

from django.utils import timezone

from linli.points.actions import do_post
from linli.points.queries import leaderboard, period_bounds, statement
from linli.points.tests.conftest import give

A1, B1 = "350203001001001", "350203002001001"


def at(clock, y, m, d):
    clock.now = timezone.make_aware(datetime(y, m, d, 10, 0))


def test_period_bounds():
    assert [b.date() for b in period_bounds("month", date(2026, 12, 5))] == [date(2026, 12, 1), date(2027, 1, 1)]
    assert [b.date() for b in period_bounds("quarter", date(2026, 11, 5))] == [date(2026, 10, 1), date(2027, 1, 1)]
    assert [b.date() for b in period_bounds("quarter", date(2026, 5, 5))] == [date(2026, 4, 1), date(2026, 7, 1)]
    assert [b.date() for b in period_bounds("year", date(2026, 5, 5))] == [date(2026, 1, 1), date(2027, 1, 1)]


def test_ranks_net_earned_points_by_period_and_area(personas, clock):
    resident, grid_worker, staff = personas.resident, personas.grid_worker, personas.community_staff
    at(clock, 2026, 1, 10)
    give(resident, 30, "r-jan")
    give(personas.other_street_dispatcher, 100, "b-jan", area_code=B1)
    at(clock, 2026, 2, 10)
    give(grid_worker, 20, "g-feb")
    give(staff, 20, "s-feb")
    do_post(resident, -25, "redeem", idempotency_key="spent")  # spending does not lower a rank
    at(clock, 2026, 5, 10)
    give(grid_worker, 50, "g-may")
    do_post(grid_worker, -5, "adjust", idempotency_key="fix", area_code=A1)  # a correction does

    def board(period, day, area="350203001"):
        return [(r.rank, r.name, r.points) for r in leaderboard(area, period, day)]

    assert board("month", date(2026, 1, 1)) == [(1, "居民甲", 30)]
    assert board("month", date(2026, 2, 1)) == [(1, "网格员甲", 20), (1, "社区干部甲", 20)]  # a tie shares the rank
    assert board("quarter", date(2026, 3, 31)) == [(1, "居民甲", 30), (2, "网格员甲", 20), (2, "社区干部甲", 20)]
    assert board("quarter", date(2026, 4, 1)) == [(1, "网格员甲", 45)]
    assert board("year", date(2026, 7, 1)) == [(1, "网格员甲", 65), (2, "居民甲", 30), (3, "社区干部甲", 20)]
    assert board("year", date(2026, 7, 1), area="350203") == [
        (1, "街道调度乙", 100), (2, "网格员甲", 65), (3, "居民甲", 30), (4, "社区干部甲", 20)]
    assert board("year", date(2026, 7, 1), area="350203002") == [(1, "街道调度乙", 100)]
    assert board("year", date(2025, 7, 1)) == []


def test_the_leaderboard_costs_two_queries_whatever_the_rows(personas, django_assert_num_queries):
    give(personas.resident, 5, "one")
    with django_assert_num_queries(2):
        leaderboard("350203", "year", timezone.localdate())
    for n, person in enumerate((personas.grid_worker, personas.community_staff, personas.street_dispatcher)):
        for k in range(5):
            give(person, 1 + n, f"{n}-{k}")
    with django_assert_num_queries(2):
        assert len(leaderboard("350203", "year", timezone.localdate())) == 4


def test_a_statement_pages_newest_first_with_the_balance(personas, django_assert_num_queries):
    for k in range(45):
        give(personas.resident, 1, f"e{k}")
    with django_assert_num_queries(2):
        first = statement(personas.resident)
    assert first.balance == 45 and len(first.entries) == 20
    assert [e.idempotency_key for e in first.entries[:2]] == ["e44", "e43"]
    with django_assert_num_queries(2):
        second = statement(personas.resident, before=first.next_before)
    third = statement(personas.resident, before=second.next_before)
    assert len(third.entries) == 5 and third.next_before is None
    assert {e.pk for e in first.entries + second.entries + third.entries} == set(
        personas.resident.points_account.entries.values_list("pk", flat=True))


def test_someone_without_points_has_an_empty_statement(personas, django_assert_num_queries):
    with django_assert_num_queries(1):
        empty = statement(personas.outsider)
    assert empty.balance == 0 and empty.entries == [] and empty.next_before is None


def test_the_year_totals_agree_with_the_entries(personas, clock):
    from django.db.models import Sum

    from linli.points.models import PointsEntry, PointsYearTotal

    at(clock, 2025, 12, 31)
    give(personas.resident, 10, "a")
    at(clock, 2026, 1, 1)
    give(personas.resident, 7, "b")
    give(personas.resident, 7, "b")  # the same key again: counted once
    give(personas.resident, 3, "c", area_code=B1)
    do_post(personas.resident, -2, "adjust", idempotency_key="d", area_code=A1)
    do_post(personas.resident, -5, "redeem", idempotency_key="e")  # spending is not in the totals
    totals = {(t.area_code, t.year): t.points for t in PointsYearTotal.objects.all()}
    assert totals == {(A1, 2025): 10, (A1, 2026): 5, (B1, 2026): 3}
    entries = PointsEntry.objects.filter(kind__in=["earn", "adjust"]).aggregate(s=Sum("delta"))["s"]
    assert sum(totals.values()) == entries
    assert [(r.rank, r.points) for r in leaderboard("350203", "year", date(2026, 6, 1))] == [(1, 8)]
