"""The shop's limits at their edge: exactly enough is accepted, one short is refused."""

import pytest

from linli.points.actions import PointsError, balance_of, check_redeem
from linli.points.models import Redemption, Reward

from .conftest import give, make_reward


def refused(user, reward):
    with pytest.raises(PointsError) as caught:
        check_redeem(user, reward.pk)
    return caught.value.code


def test_a_balance_exactly_equal_to_the_price_buys_it(tree, personas):
    reward = make_reward(tree.community_a, cost=10)
    give(personas.resident, 10, "e1")
    check_redeem(personas.resident, reward.pk)
    assert balance_of(personas.resident) == 0


def test_a_balance_one_point_short_of_the_price_does_not(tree, personas):
    reward = make_reward(tree.community_a, cost=10)
    give(personas.resident, 9, "e1")
    assert refused(personas.resident, reward) == "insufficient_points"
    assert balance_of(personas.resident) == 9 and Reward.objects.get(pk=reward.pk).stock == 100


def test_the_last_piece_of_stock_is_sold_and_then_none(tree, personas):
    reward = make_reward(tree.community_a, stock=1)
    give(personas.resident, 100, "e1")
    check_redeem(personas.resident, reward.pk)
    assert Reward.objects.get(pk=reward.pk).stock == 0
    assert refused(personas.resident, reward) == "out_of_stock"
    assert balance_of(personas.resident) == 90 and Redemption.objects.count() == 1


def test_the_per_person_limit_allows_exactly_its_number(tree, personas):
    reward = make_reward(tree.community_a, per_person_limit=2)
    give(personas.resident, 100, "e1")
    check_redeem(personas.resident, reward.pk)
    check_redeem(personas.resident, reward.pk)
    assert refused(personas.resident, reward) == "limit_reached"
    assert Redemption.objects.filter(user=personas.resident).count() == 2
