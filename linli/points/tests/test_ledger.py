"""The points ledger: idempotent posts, a balance that never goes negative, oldest points spent first."""

import threading

import pytest
from django.db import connection

from linli.points.actions import PointsError, balance_of, do_post
from linli.points.models import PointsEntry


def test_the_same_key_posts_once(personas):
    first = do_post(personas.resident, 30, "earn", idempotency_key="hours:1", reference="activity:1")
    again = do_post(personas.resident, 30, "earn", idempotency_key="hours:1", reference="activity:1")
    assert again.pk == first.pk and balance_of(personas.resident) == 30
    assert PointsEntry.objects.count() == 1


def test_a_balance_never_goes_negative(personas):
    do_post(personas.resident, 10, "earn", idempotency_key="e1")
    with pytest.raises(PointsError) as error:
        do_post(personas.resident, -11, "redeem", idempotency_key="r1")
    assert error.value.code == "insufficient_points"
    assert balance_of(personas.resident) == 10 and PointsEntry.objects.count() == 1


@pytest.mark.parametrize("delta, kind", [(0, "earn"), (-5, "earn"), (5, "redeem"), (5, "expire"), (2.5, "adjust"),
                                         (True, "adjust"), (5, "gift")])
def test_bad_entries_are_refused(personas, delta, kind):
    with pytest.raises(PointsError) as error:
        do_post(personas.resident, delta, kind, idempotency_key="x")
    assert error.value.code == "bad_points"


def test_spending_takes_the_oldest_points_first(personas, clock):
    do_post(personas.resident, 10, "earn", idempotency_key="old")
    clock.advance(days=30)
    do_post(personas.resident, 10, "earn", idempotency_key="new")
    do_post(personas.resident, -15, "redeem", idempotency_key="spend")
    remaining = dict(PointsEntry.objects.values_list("idempotency_key", "remaining"))
    assert remaining == {"old": 0, "new": 5, "spend": 0}
    do_post(personas.resident, -2, "adjust", idempotency_key="fix", note="多记了2分")
    assert balance_of(personas.resident) == 3
    assert PointsEntry.objects.get(idempotency_key="new").remaining == 3


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_of_one_key_post_once(tree, personas):
    start = threading.Barrier(8)
    errors = []

    def post():
        try:
            start.wait()
            do_post(personas.resident, 10, "earn", idempotency_key="hours:7")
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert balance_of(personas.resident) == 10 and PointsEntry.objects.count() == 1
