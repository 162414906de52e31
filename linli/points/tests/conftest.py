"""Fixtures of the points tests: a reward of 坑内社区's shop, and helpers to give points."""

import pytest

from linli.points.actions import do_post, do_save_reward


def give(user, points, key, area_code="350203001001001"):
    """Points earned (as approved volunteer hours would post them)."""
    return do_post(user, points, "earn", idempotency_key=key, area_code=area_code)


def make_reward(community, *, creator=None, provider=None, **fields):
    data = {"name": "1 小时免费家政服务", "description": "", "kind": "service", "cost": 10, "stock": 100,
            "per_person_limit": None, "available_from": None, "available_until": None, "active": True,
            "community": community, "provider": provider}
    data.update(fields)
    return do_save_reward(creator, data)


@pytest.fixture
def reward(tree, personas):
    return make_reward(tree.community_a, creator=personas.community_staff)
