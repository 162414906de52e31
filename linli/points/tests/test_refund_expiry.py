"""A cancelled redemption gives its points back to the credits it took them from: they keep
their age and expire when they would have (never renewed by the refund). Invariants of the
ledger hold after any sequence of earn / redeem / cancel / adjust / expire."""

import random

from django.db.models import Sum

from linli.points.actions import (
    PointsError,
    balance_of,
    check_cancel,
    check_redeem,
    do_post,
    expire_points,
)
from linli.points.models import PointsAccount, PointsAllocation, PointsEntry

from .conftest import give, make_reward


def test_cancelling_does_not_renew_points_that_are_about_to_expire(personas, reward, clock):
    """The reviewer's scenario: earned 11 months ago, redeemed, cancelled; a month later they expire."""
    give(personas.resident, 10, "old")
    clock.advance(days=335)  # about 11 months
    redemption = check_redeem(personas.resident, reward.pk)
    check_cancel(personas.resident, redemption.pk)
    refund = PointsEntry.objects.get(kind="refund")
    assert refund.delta == 10 and refund.remaining == 0
    assert PointsEntry.objects.get(idempotency_key="old").remaining == 10
    assert balance_of(personas.resident) == 10
    clock.advance(days=31)
    assert expire_points() == 1
    assert PointsEntry.objects.get(kind="expire").delta == -10 and balance_of(personas.resident) == 0


def test_a_refund_restores_each_credit_it_spent(tree, personas, clock, settings):
    settings.POINTS_EXPIRE_MONTHS = 12
    reward = make_reward(tree.community_a, cost=12)
    first = give(personas.resident, 5, "a")
    clock.advance(days=30)
    second = give(personas.resident, 4, "b")
    clock.advance(days=30)
    third = give(personas.resident, 6, "c")
    redemption = check_redeem(personas.resident, reward.pk)  # 5 of a, 4 of b, 3 of c
    debit = PointsEntry.objects.get(kind="redeem")
    assert {(a.credit_id, a.amount) for a in PointsAllocation.objects.filter(entry=debit)} == {
        (first.pk, 5), (second.pk, 4), (third.pk, 3)}
    assert [PointsEntry.objects.get(pk=c.pk).remaining for c in (first, second, third)] == [0, 0, 3]
    check_cancel(personas.community_staff, redemption.pk)
    assert [PointsEntry.objects.get(pk=c.pk).remaining for c in (first, second, third)] == [5, 4, 6]
    refund = PointsEntry.objects.get(kind="refund")
    assert {(a.credit_id, a.amount) for a in PointsAllocation.objects.filter(entry=refund)} == {
        (first.pk, -5), (second.pk, -4), (third.pk, -3)}
    # each restored credit expires on its own date
    clock.advance(days=310)  # a is 370 days old, b 340, c 310
    expire_points()
    assert balance_of(personas.resident) == 10
    clock.advance(days=30)  # b 370
    expire_points()
    assert balance_of(personas.resident) == 6
    assert_invariants()


def test_points_already_past_expiry_expire_in_the_refunds_transaction(personas, reward, clock):
    give(personas.resident, 10, "old")
    clock.advance(days=300)
    redemption = check_redeem(personas.resident, reward.pk)
    give(personas.resident, 3, "newer")
    clock.advance(days=100)  # "old" is 400 days old: past expiry when refunded
    check_cancel(personas.resident, redemption.pk)
    expired = PointsEntry.objects.get(kind="expire")
    assert expired.delta == -10 and expired.idempotency_key == f"expire:refund:redemption:{redemption.pk}"
    assert balance_of(personas.resident) == 3
    assert expire_points() == 0  # the job finds nothing left
    assert_invariants()


def test_restored_points_partly_expired_before_expire_again(personas, tree, clock):
    """A credit partly spent and partly expired, then refunded: the refunded part expires too
    (the expiry job's own key for that credit is already taken)."""
    reward = make_reward(tree.community_a, cost=6)
    give(personas.resident, 10, "old")
    redemption = check_redeem(personas.resident, reward.pk)  # 6 of "old" spent, 4 left
    clock.advance(days=400)
    assert expire_points() == 1  # the 4 left expire
    check_cancel(personas.resident, redemption.pk)  # the 6 come back, long expired
    assert balance_of(personas.resident) == 0
    assert list(PointsEntry.objects.filter(kind="expire").values_list("delta", flat=True).order_by("id")) == [-4, -6]
    assert_invariants()


def test_a_refund_must_match_its_debit(personas):
    give(personas.resident, 10, "e")
    debit = do_post(personas.resident, -4, "redeem", idempotency_key="d")
    for delta, kind, of in ((5, "refund", debit), (4, "earn", debit), (4, "refund", PointsEntry.objects.get(
            idempotency_key="e"))):
        try:
            do_post(personas.resident, delta, kind, idempotency_key=f"r{delta}{kind}", refund_of=of)
        except PointsError as error:
            assert error.code == "bad_points"
        else:
            raise AssertionError("refund accepted")
    assert balance_of(personas.resident) == 6


def test_a_refund_of_a_debit_from_before_allocations_is_a_credit(personas):
    give(personas.resident, 10, "e")
    debit = do_post(personas.resident, -4, "redeem", idempotency_key="d")
    PointsAllocation.objects.filter(entry=debit).delete()  # as posted before migration 0003
    PointsEntry.objects.filter(idempotency_key="e").update(remaining=6)
    refund = do_post(personas.resident, 4, "refund", idempotency_key="r", refund_of=debit)
    assert refund.remaining == 4 and balance_of(personas.resident) == 10


def assert_invariants():
    for account in PointsAccount.objects.all():
        entries = PointsEntry.objects.filter(account=account)
        assert account.balance >= 0
        assert account.balance == (entries.aggregate(s=Sum("delta"))["s"] or 0)
        assert account.balance == (entries.filter(remaining__gt=0).aggregate(s=Sum("remaining"))["s"] or 0)
        for entry in entries:
            allocated = PointsAllocation.objects.filter(credit=entry).aggregate(s=Sum("amount"))["s"] or 0
            if entry.remaining or allocated:
                assert entry.remaining == entry.delta - allocated, entry
            debited = PointsAllocation.objects.filter(entry=entry).aggregate(s=Sum("amount"))["s"] or 0
            if entry.delta < 0:
                assert debited == -entry.delta, entry
            elif entry.kind == "refund":
                assert debited in (0, -entry.delta), entry


def test_invariants_hold_after_a_random_sequence(tree, personas, clock, settings):
    settings.POINTS_EXPIRE_MONTHS = 3
    rng = random.Random(20261124)
    rewards = [make_reward(tree.community_a, cost=cost, stock=1000) for cost in (3, 7, 11)]
    people = [personas.resident, personas.grid_worker, personas.community_staff]
    pending = []
    for step in range(300):
        person = rng.choice(people)
        move = rng.random()
        if move < 0.35:
            give(person, rng.randint(1, 12), f"earn{step}")
        elif move < 0.6:
            try:
                pending.append(check_redeem(person, rng.choice(rewards).pk))
            except PointsError as error:
                assert error.code == "insufficient_points"
        elif move < 0.75 and pending:
            redemption = pending.pop(rng.randrange(len(pending)))
            check_cancel(redemption.user, redemption.pk)
        elif move < 0.85:
            try:
                do_post(person, rng.choice((-1, 1)) * rng.randint(1, 8), "adjust", idempotency_key=f"adj{step}")
            except PointsError as error:
                assert error.code == "insufficient_points"
        else:
            expire_points()
        clock.advance(days=rng.randint(0, 9))
    expire_points()
    assert PointsEntry.objects.filter(kind="refund").exists() and PointsEntry.objects.filter(kind="expire").exists()
    assert_invariants()
    # nothing older than the cutoff is left unspent
    from linli.points.actions import expiry_cutoff
    assert not PointsEntry.objects.filter(remaining__gt=0, created_at__lt=expiry_cutoff()).exists()
