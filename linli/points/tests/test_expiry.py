"""Expiry: points older than POINTS_EXPIRE_MONTHS expire oldest first, once, however often
(and however concurrently) the job runs; points spent before the cutoff do not expire."""

import threading
from datetime import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from linli.points.actions import balance_of, do_post, expire_points, expiry_cutoff
from linli.points.models import PointsEntry

from .conftest import give


def test_the_cutoff_is_the_configured_number_of_months_back(settings):
    settings.POINTS_EXPIRE_MONTHS = 12
    now = timezone.make_aware(datetime(2026, 2, 28, 10, 0))
    assert expiry_cutoff(now) == timezone.make_aware(datetime(2025, 2, 28, 10, 0))
    settings.POINTS_EXPIRE_MONTHS = 1
    assert expiry_cutoff(timezone.make_aware(datetime(2026, 3, 31, 9, 0))) == timezone.make_aware(
        datetime(2026, 2, 28, 9, 0))


def test_old_points_expire_once_and_newer_ones_stay(personas, clock):
    give(personas.resident, 10, "old")
    clock.advance(days=200)
    give(personas.resident, 7, "newer")
    clock.advance(days=200)  # "old" is 400 days old, "newer" 200
    assert expire_points() == 1
    assert expire_points() == 0
    call_command("expire_points", stdout=open("/dev/null", "w"))
    expired = PointsEntry.objects.get(kind="expire")
    assert expired.delta == -10 and balance_of(personas.resident) == 7
    assert PointsEntry.objects.filter(kind="expire").count() == 1
    assert dict(PointsEntry.objects.filter(kind="earn").values_list("idempotency_key", "remaining")) == {
        "old": 0, "newer": 7}


def test_points_spent_before_the_cutoff_do_not_expire(personas, clock):
    give(personas.resident, 10, "old")
    do_post(personas.resident, -6, "redeem", idempotency_key="spent")
    clock.advance(days=400)
    expire_points()
    assert PointsEntry.objects.get(kind="expire").delta == -4 and balance_of(personas.resident) == 0


def test_the_oldest_points_expire_first(personas, clock, settings):
    settings.POINTS_EXPIRE_MONTHS = 1
    give(personas.resident, 5, "first")
    clock.advance(days=10)
    give(personas.resident, 5, "second")
    do_post(personas.resident, -7, "redeem", idempotency_key="spent")  # all of "first", 2 of "second"
    clock.advance(days=40)
    give(personas.resident, 4, "recent")
    expire_points()
    assert PointsEntry.objects.get(kind="expire").delta == -3
    assert balance_of(personas.resident) == 4


def test_only_accounts_with_old_points_are_touched(personas, clock):
    give(personas.resident, 10, "old")
    clock.advance(days=400)
    give(personas.grid_worker, 10, "fresh")
    assert expire_points() == 1
    assert balance_of(personas.grid_worker) == 10


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_post_once(tree, personas):
    for n, person in enumerate((personas.resident, personas.grid_worker, personas.community_staff)):
        give(person, 10 + n, f"old{n}")
    later = timezone.now() + timezone.timedelta(days=400)
    start = threading.Barrier(4)
    posted, errors = [], []

    def run():
        try:
            start.wait()
            posted.append(expire_points(later))
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and sum(posted) == 3
    assert PointsEntry.objects.filter(kind="expire").count() == 3
    assert balance_of(personas.resident) == 0 and balance_of(personas.community_staff) == 0
