"""Races on an account that already exists: only the account's row lock keeps its balance whole.

(A race that starts with no account always goes through the create branch of `_locked_account`,
and the shop's races are serialised by the reward's row lock: neither catches a missing lock on
the account itself.)"""

import pytest

from linli.points.actions import balance_of, do_post
from linli.points.models import PointsAccount, PointsAllocation, PointsEntry

from .conftest import give, run_concurrently


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_debits_racing_for_the_last_points_of_an_existing_account(personas):
    give(personas.resident, 7, "earned-1")
    give(personas.resident, 5, "earned-2")
    assert PointsAccount.objects.filter(user=personas.resident).exists()

    results, errors = run_concurrently(20, lambda n: do_post(personas.resident, -3, "redeem", idempotency_key=f"spend:{n}"))

    assert len(results) == 4, errors  # 12 points buy four debits of 3
    assert sorted(errors) == ["insufficient_points"] * 16
    assert balance_of(personas.resident) == 0
    assert not PointsEntry.objects.filter(remaining__lt=0).exists()
    assert sum(PointsAllocation.objects.values_list("amount", flat=True)) == 12


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_posts_of_one_key_racing_on_an_existing_account_post_once(personas):
    give(personas.resident, 10, "earned-1")

    results, errors = run_concurrently(12, lambda n: do_post(personas.resident, 4, "earn", idempotency_key="hours:42"))

    assert errors == []
    assert len({entry.pk for entry in results}) == 1
    assert PointsEntry.objects.filter(idempotency_key="hours:42").count() == 1
    assert balance_of(personas.resident) == 14


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_credits_and_debits_racing_on_an_existing_account_keep_the_balance_equal_to_the_ledger(personas):
    give(personas.resident, 6, "earned-1")

    def work(n):
        if n % 2:
            return do_post(personas.resident, 2, "earn", idempotency_key=f"earn:{n}")
        return do_post(personas.resident, -2, "redeem", idempotency_key=f"spend:{n}")

    results, errors = run_concurrently(16, work)

    assert all(code == "insufficient_points" for code in errors), errors
    ledger = sum(PointsEntry.objects.filter(account__user=personas.resident).values_list("delta", flat=True))
    assert balance_of(personas.resident) == ledger >= 0
    assert len(results) + len(errors) == 16
