"""The rewards shop: redemption takes points and stock together; cancellation gives both back
once; a pickup code is used once; codes and redemptions outside one's reach answer 404."""


import pytest
from django.http import Http404

from linli.points.actions import (
    CODE_ALPHABET,
    PointsError,
    balance_of,
    check_cancel,
    check_fulfil,
    check_redeem,
)
from linli.points.models import PointsEntry, Redemption, Reward

from .conftest import give, make_reward, run_concurrently


def test_a_redemption_takes_points_and_stock_and_gives_a_code(personas, reward):
    give(personas.resident, 25, "e1")
    redemption = check_redeem(personas.resident, reward.pk)
    reward.refresh_from_db()
    assert balance_of(personas.resident) == 15 and reward.stock == 99
    assert len(redemption.code) == 8 and set(redemption.code) <= set(CODE_ALPHABET)
    entry = PointsEntry.objects.get(kind="redeem")
    assert entry.delta == -10 and entry.reference == f"redemption:{redemption.pk}"


def test_not_enough_points_leaves_nothing_behind(personas, reward):
    give(personas.resident, 9, "e1")
    with pytest.raises(PointsError) as error:
        check_redeem(personas.resident, reward.pk)
    assert error.value.code == "insufficient_points"
    reward.refresh_from_db()
    assert reward.stock == 100 and not Redemption.objects.exists() and balance_of(personas.resident) == 9


def test_stock_runs_out_before_the_points(tree, personas):
    reward = make_reward(tree.community_a, stock=2)
    give(personas.resident, 100, "e1")
    check_redeem(personas.resident, reward.pk)
    check_redeem(personas.resident, reward.pk)
    with pytest.raises(PointsError) as error:
        check_redeem(personas.resident, reward.pk)
    assert error.value.code == "out_of_stock"
    assert balance_of(personas.resident) == 80 and Reward.objects.get(pk=reward.pk).stock == 0


def test_the_per_person_limit_counts_what_was_not_cancelled(tree, personas):
    reward = make_reward(tree.community_a, per_person_limit=1)
    give(personas.resident, 100, "e1")
    first = check_redeem(personas.resident, reward.pk)
    with pytest.raises(PointsError) as error:
        check_redeem(personas.resident, reward.pk)
    assert error.value.code == "limit_reached"
    check_cancel(personas.resident, first.pk)
    check_redeem(personas.resident, reward.pk)  # the cancelled one no longer counts
    assert balance_of(personas.resident) == 90


def test_a_reward_off_the_shelf_or_out_of_its_window_cannot_be_redeemed(tree, personas, clock):
    from datetime import timedelta

    give(personas.resident, 100, "e1")
    off = make_reward(tree.community_a, active=False)
    later = make_reward(tree.community_a, available_from=clock.now + timedelta(days=1))
    for reward in (off, later):
        with pytest.raises(PointsError) as error:
            check_redeem(personas.resident, reward.pk)
        assert error.value.code == "not_available"
    clock.advance(days=2)
    check_redeem(personas.resident, later.pk)


def test_cancelling_twice_refunds_once(personas, reward):
    give(personas.resident, 10, "e1")
    redemption = check_redeem(personas.resident, reward.pk)
    check_cancel(personas.resident, redemption.pk)
    with pytest.raises(PointsError) as error:
        check_cancel(personas.community_staff, redemption.pk)
    assert error.value.code == "not_pending"
    assert PointsEntry.objects.filter(kind="refund").count() == 1
    assert balance_of(personas.resident) == 10 and Reward.objects.get(pk=reward.pk).stock == 100


def test_a_code_is_fulfilled_once_and_then_cannot_be_cancelled(personas, reward):
    give(personas.resident, 10, "e1")
    redemption = check_redeem(personas.resident, reward.pk)
    typed = f" {redemption.code[:4].lower()}-{redemption.code[4:]} "  # as read aloud and typed in
    assert check_fulfil(personas.community_staff, typed).status == "fulfilled"
    with pytest.raises(PointsError) as error:
        check_fulfil(personas.community_staff, redemption.code)
    assert error.value.code == "already_fulfilled"
    with pytest.raises(PointsError):
        check_cancel(personas.resident, redemption.pk)
    assert balance_of(personas.resident) == 0


def test_strangers_codes_and_redemptions_are_not_found(tree, personas, reward):
    give(personas.resident, 10, "e1")
    redemption = check_redeem(personas.resident, reward.pk)
    for stranger in (personas.outsider, personas.street_dispatcher, personas.department_handler,
                     personas.org_admin, personas.grid_worker):
        with pytest.raises(Http404):
            check_fulfil(stranger, redemption.code)
        with pytest.raises(Http404):
            check_cancel(stranger, redemption.pk)
    with pytest.raises(Http404):
        check_fulfil(personas.community_staff, "ZZZZZZZZ")
    # a reward of another community is not in the resident's shop
    elsewhere = make_reward(tree.community_b)
    with pytest.raises(Http404):
        check_redeem(personas.resident, elsewhere.pk)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_redemptions_against_points_for_ten(tree, personas):
    reward = make_reward(tree.community_a, stock=100)
    give(personas.resident, 100, "e1")
    results, errors = run_concurrently(50, lambda n: check_redeem(personas.resident, reward.pk))
    assert len(results) == 10 and errors.count("insufficient_points") == 40, errors
    assert balance_of(personas.resident) == 0 and Reward.objects.get(pk=reward.pk).stock == 90
    assert Redemption.objects.count() == 10 and len({r.code for r in results}) == 10
    assert not PointsEntry.objects.filter(remaining__lt=0).exists()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_stop_when_the_stock_runs_out(tree, personas):
    reward = make_reward(tree.community_a, stock=5)
    give(personas.resident, 1000, "e1")
    results, errors = run_concurrently(20, lambda n: check_redeem(personas.resident, reward.pk))
    assert len(results) == 5 and errors.count("out_of_stock") == 15, errors
    assert balance_of(personas.resident) == 950 and Reward.objects.get(pk=reward.pk).stock == 0


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_cancellations_refund_once(tree, personas):
    reward = make_reward(tree.community_a)
    give(personas.resident, 10, "e1")
    redemption = check_redeem(personas.resident, reward.pk)
    results, errors = run_concurrently(8, lambda n: check_cancel(personas.resident, redemption.pk))
    assert len(results) == 1 and errors == ["not_pending"] * 7
    assert balance_of(personas.resident) == 10 and Reward.objects.get(pk=reward.pk).stock == 100
