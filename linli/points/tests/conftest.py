"""Fixtures of the points tests: a reward of 坑内社区's shop, and helpers to give points."""

import threading

import pytest
from django.db import connection

from linli.points.actions import PointsError, do_post, do_save_reward


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


def run_concurrently(count, work):
    """work(n) in `count` threads released together: (results, error codes, or reprs of other errors)."""
    start = threading.Barrier(count)
    results, errors = [], []

    def one(n):
        try:
            start.wait()
            results.append(work(n))
        except PointsError as error:
            errors.append(error.code)
        except Exception as error:  # noqa: BLE001 — reported by the test
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
