"""Staff side: corrections (adjust) once per key for residents of one's area; the catalog and
the redemptions of one's rewards through the API, each persona against the others' data;
points_for_hours; ids from request input."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework.test import APIClient

from linli.core.testing import make_person
from linli.points.actions import PointsError, balance_of, check_adjust, check_redeem, points_for_hours
from linli.points.models import PointsEntry, Reward
from linli.points.queries import leaderboard

from .conftest import give, make_reward


def api(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


# -- points_for_hours ---------------------------------------------------------------------------------


@pytest.mark.parametrize("hours, per_hour, points", [
    (Decimal("1"), 10, 10), (Decimal("1.25"), 2, 3), (Decimal("1.2"), 2, 2), (Decimal("0.25"), 2, 1),
    (Decimal("0.1"), 3, 0), (Decimal("2.5"), 1, 3), (Decimal("3.5"), 1, 4), (Decimal("1.5"), Decimal("1.5"), 2),
    (Decimal("0"), 10, 0), ("0.3", 5, 2), (Decimal("7.45"), 1, 7),
])
def test_points_for_hours_rounds_half_up(hours, per_hour, points):
    assert points_for_hours(hours, per_hour) == points


def test_points_for_hours_refuses_what_is_not_a_number():
    for hours in ("abc", Decimal("NaN"), Decimal("Infinity")):
        with pytest.raises(ValueError):
            points_for_hours(hours, 2)


# -- adjust -----------------------------------------------------------------------------------------


def test_staff_correct_a_residents_points_once_per_key(personas, tree):
    key = uuid.uuid4()
    entry = check_adjust(personas.community_staff, personas.resident, 8, "  补录 3 月活动  ", key)
    again = check_adjust(personas.community_staff, personas.resident, 8, "补录 3 月活动", str(key))
    assert again.pk == entry.pk and balance_of(personas.resident) == 8
    assert entry.kind == "adjust" and entry.note == "补录 3 月活动" and entry.actor == personas.community_staff
    assert entry.area_code == tree.community_a.code and entry.remaining == 8
    with pytest.raises(PointsError) as reused:
        check_adjust(personas.community_staff, personas.resident, 9, "x", key)
    assert reused.value.code == "key_reused"
    with pytest.raises(PointsError) as short:
        check_adjust(personas.community_staff, personas.resident, -9, "多记了", uuid.uuid4())
    assert short.value.code == "insufficient_points" and balance_of(personas.resident) == 8
    check_adjust(personas.community_staff, personas.resident, -3, "多记了", uuid.uuid4())
    assert balance_of(personas.resident) == 5
    # adjust entries count on the leaderboard (net 5)
    ranks = leaderboard(tree.community_a.code, "month", entry.created_at.date())
    assert [(r.name, r.points) for r in ranks] == [("居民甲", 5)]


@pytest.mark.parametrize("delta, reason, key, field", [
    (0, "r", "k", "delta"), (True, "r", "k", "delta"), ("5", "r", "k", "delta"), (10**7, "r", "k", "delta"),
    (1.5, "r", "k", "delta"), (5, "   ", "k", "reason"), (5, "x" * 201, "k", "reason"), (5, "r", "nope", "key"),
    (5, "r", None, "key"), (5, "r", ["a"], "key"),
])
def test_adjust_refuses_bad_input(personas, delta, reason, key, field):
    key = uuid.uuid4() if key == "k" else key
    with pytest.raises(PointsError) as error:
        check_adjust(personas.community_staff, personas.resident, delta, reason, key)
    assert error.value.code == "bad_points" and error.value.field == field
    assert not PointsEntry.objects.exists()


def test_only_staff_of_the_residents_community_adjust(personas, tree):
    other = make_person("13900000021", "文安社区干部", "community_staff", tree.community_b, tier="head")
    other_resident = make_person("13900000022", "居民乙", "resident", tree.community_b)
    for staff in (personas.resident, personas.grid_worker, personas.org_admin, personas.outsider):
        with pytest.raises((PermissionDenied, Http404)):
            check_adjust(staff, personas.resident, 5, "r", uuid.uuid4())
    for staff, person in ((other, personas.resident), (personas.community_staff, other_resident),
                          (personas.community_staff, personas.grid_worker)):
        with pytest.raises(Http404):
            check_adjust(staff, person, 5, "r", uuid.uuid4())
    check_adjust(other, other_resident, 5, "r", uuid.uuid4())
    check_adjust(personas.system_admin, personas.resident, 5, "r", uuid.uuid4())
    assert balance_of(other_resident) == 5 and balance_of(personas.resident) == 5


def test_adjust_api(personas, tree):
    key = str(uuid.uuid4())
    body = {"mobile": "139 0000 0001", "delta": 6, "reason": "补录", "key": key}
    first = api(personas.community_staff).post("/api/points/adjustments/", body, format="json")
    retry = api(personas.community_staff).post("/api/points/adjustments/", body, format="json")
    assert first.status_code == 201 and retry.status_code == 201 and first.json()["id"] == retry.json()["id"]
    assert first.json()["balance"] == 6 and first.json()["person"] == "居*甲 · 139****0001"
    by_id = api(personas.community_staff).post("/api/points/adjustments/", {
        "user": personas.resident.pk, "delta": -10, "reason": "x", "key": str(uuid.uuid4())}, format="json")
    assert by_id.status_code == 400 and by_id.json()["code"] == "insufficient_points"
    assert api(personas.resident).post("/api/points/adjustments/", dict(body, key=str(uuid.uuid4())),
                                       format="json").status_code == 403
    other = make_person("13900000021", "文安社区干部", "community_staff", tree.community_b, tier="head")
    assert api(other).post("/api/points/adjustments/", dict(body, key=str(uuid.uuid4())),
                           format="json").status_code == 404
    assert api(personas.community_staff).post("/api/points/adjustments/", dict(
        body, mobile="13999999999", key=str(uuid.uuid4())), format="json").status_code == 404
    for junk in ([], "x", {"delta": 5}, dict(body, delta="many"), dict(body, delta=10**30), dict(body, key=5),
                 dict(body, user=personas.resident.pk), dict(body, mobile=["1"]), {**body, "reason": {"a": 1}},
                 dict(body, user=2**70, mobile=None), dict(body, delta=0, key=str(uuid.uuid4()))):
        response = api(personas.community_staff).post("/api/points/adjustments/", junk, format="json")
        assert response.status_code == 400 and response.json()["code"] in ("invalid", "bad_points"), junk
    assert balance_of(personas.resident) == 6


def test_adjust_form_on_the_staff_page(client, personas):
    client.force_login(personas.community_staff)
    page = client.get("/points/catalog/redemptions/")
    assert b'data-testid="adjust"' in page.content
    key = str(uuid.uuid4())
    for _ in range(2):  # a double submit posts once
        done = client.post("/points/catalog/adjust/", {"mobile": "13900000001", "delta": "4", "reason": "补录",
                                                       "key": key}, follow=True)
        assert done.status_code == 200
    assert balance_of(personas.resident) == 4
    missing = client.post("/points/catalog/adjust/", {"mobile": "13999999999", "delta": "4", "reason": "r",
                                                      "key": str(uuid.uuid4())}, follow=True)
    assert balance_of(personas.resident) == 4 and missing.status_code == 200
    bad = client.post("/points/catalog/adjust/", {"mobile": "1", "delta": "x", "reason": "", "key": "k"})
    assert bad.status_code == 302
    client.force_login(personas.org_admin)
    assert b'data-testid="adjust"' not in client.get("/points/catalog/redemptions/").content
    assert client.post("/points/catalog/adjust/", {"mobile": "13900000001", "delta": "4", "reason": "r",
                                                   "key": str(uuid.uuid4())}).status_code == 403
    client.force_login(personas.resident)
    assert client.post("/points/catalog/adjust/", {}).status_code == 403


# -- catalog API -------------------------------------------------------------------------------------


def reward_body(tree, **fields):
    body = {"community": tree.community_a.pk, "name": "理发券", "kind": "service", "cost": 20, "stock": 5}
    body.update(fields)
    return body


def test_staff_add_list_and_change_rewards(personas, tree, reward):
    created = api(personas.community_staff).post("/api/points/catalog/", reward_body(tree), format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["community_name"] == "坑内社区" and created.json()["provider"] is None
    listed = api(personas.community_staff).get("/api/points/catalog/").json()
    assert {r["name"] for r in listed} == {"理发券", "1 小时免费家政服务"}
    url = f"/api/points/catalog/{created.json()['id']}/"
    changed = api(personas.community_staff).patch(url, {"stock": 9, "active": False}, format="json")
    assert changed.status_code == 200 and changed.json()["stock"] == 9 and changed.json()["active"] is False
    assert changed.json()["cost"] == 20 and changed.json()["name"] == "理发券"
    # the action's rules, as the page's
    blank = api(personas.community_staff).post("/api/points/catalog/", reward_body(tree, name="  "), format="json")
    assert blank.status_code == 400 and "name" in blank.json()["fields"]
    for body, field in ((reward_body(tree, cost=0), "cost"),
                        (reward_body(tree, community=tree.community_b.pk), "community"),
                        (reward_body(tree, community=tree.street_a.pk), "community"),
                        (reward_body(tree, community=999999), "community"),
                        (reward_body(tree, provider=999999), "provider"),
                        (reward_body(tree, stock=10**9), "stock"),
                        (reward_body(tree, available_from="2026-05-01T00:00:00+08:00",
                                     available_until="2026-04-01T00:00:00+08:00"), "available_until")):
        refused = api(personas.community_staff).post("/api/points/catalog/", body, format="json")
        assert refused.status_code == 400 and refused.json()["code"] == "bad_reward", body
        assert field in refused.json()["fields"], (body, refused.json())
    assert api(personas.community_staff).patch(url, {"cost": -1}, format="json").json()["code"] == "bad_reward"
    for junk in ([], "x", {"cost": "lots"}, {"community": 2**70}, {"community": "²"}, {"name": ["a"]},
                 {"available_from": "soon"}, {"kind": "car"}, {"active": {"a": 1}}):
        response = api(personas.community_staff).patch(url, junk, format="json")
        assert response.status_code == 400 and response.json()["code"] == "invalid", junk
        response = api(personas.community_staff).post("/api/points/catalog/", junk, format="json")
        assert response.status_code == 400 and response.json()["code"] in ("invalid", "bad_reward"), junk
    assert Reward.objects.count() == 2


def test_catalog_api_personas(personas, tree, reward):
    other = make_person("13900000021", "文安社区干部", "community_staff", tree.community_b, tier="head")
    url = f"/api/points/catalog/{reward.pk}/"
    assert api(other).get("/api/points/catalog/").json() == []
    assert api(other).get(url).status_code == 404
    assert api(other).patch(url, {"stock": 1}, format="json").status_code == 404
    assert api(other).post("/api/points/catalog/", reward_body(tree), format="json").json()["code"] == "bad_reward"
    for person in (personas.resident, personas.outsider, personas.grid_worker):
        assert api(person).get("/api/points/catalog/").status_code == 403
        assert api(person).post("/api/points/catalog/", reward_body(tree), format="json").status_code == 403
        assert api(person).get(url).status_code == 404
        assert api(person).patch(url, {"stock": 1}, format="json").status_code == 404
    assert api(None).get("/api/points/catalog/").status_code in (401, 403)
    for path in ("999999999999999999999", "0"):
        assert api(personas.community_staff).get(f"/api/points/catalog/{path}/").status_code == 404
    assert api(personas.community_staff).get(url).json()["id"] == reward.pk
    assert Reward.objects.get(pk=reward.pk).stock == 100


# -- staff redemptions API -----------------------------------------------------------------------------


def test_staff_redemptions_api_filters_pages_and_scope(personas, tree, reward, django_assert_num_queries):
    other_reward = make_reward(tree.community_a, name="理发券", cost=1)
    people = [make_person(f"139000001{n:02d}", f"居民{n}", "resident", tree.community_a) for n in range(6)]
    for n, person in enumerate(people):
        give(person, 100, f"e{n}")
        check_redeem(person, reward.pk)
        check_redeem(person, other_reward.pk)
    client = api(personas.community_staff)
    client.get("/api/points/catalog/redemptions/")  # warm up caches of the session
    with django_assert_num_queries(1):  # the page alone, whatever its rows (the scope is cached on the user)
        body = client.get("/api/points/catalog/redemptions/").json()
    assert len(body["results"]) == 12 and body["next_before"] is None
    first = body["results"][0]
    assert first["person"].endswith("****0105") and first["community"] == "坑内社区" and first["status"] == "pending"
    only = client.get(f"/api/points/catalog/redemptions/?reward={other_reward.pk}&status=pending").json()
    assert {r["reward_id"] for r in only["results"]} == {other_reward.pk} and len(only["results"]) == 6
    assert client.get("/api/points/catalog/redemptions/?status=fulfilled").json()["results"] == []
    for query in ("?status=lost", "?reward=x", "?reward=99999999999999999999999", "?before=-1", "?before=²"):
        response = client.get(f"/api/points/catalog/redemptions/{query}")
        assert response.status_code == 400 and response.json()["code"] == "invalid", query
    other = make_person("13900000021", "文安社区干部", "community_staff", tree.community_b, tier="head")
    assert api(other).get("/api/points/catalog/redemptions/").json()["results"] == []
    assert api(personas.resident).get("/api/points/catalog/redemptions/").status_code == 403


def test_staff_redemptions_pages_by_keyset(personas, tree, reward):
    reward = make_reward(tree.community_a, cost=1, stock=200)
    give(personas.resident, 200, "e")
    for _ in range(55):
        check_redeem(personas.resident, reward.pk)
    client = api(personas.community_staff)
    first = client.get("/api/points/catalog/redemptions/").json()
    assert len(first["results"]) == 50 and first["next_before"]
    second = client.get(f"/api/points/catalog/redemptions/?before={first['next_before']}").json()
    assert len(second["results"]) == 5 and second["next_before"] is None


# -- ids from request input ------------------------------------------------------------------------------


def test_pages_refuse_ids_that_are_not_ascii_digits(client, personas, reward):
    client.force_login(personas.community_staff)
    for query in ("?before=²", "?before=٣", "?before=99999999999999999999999", "?reward=²", "?status=x&reward=-1"):
        assert client.get(f"/points/catalog/redemptions/{query}").status_code == 200, query
    client.force_login(personas.resident)
    assert client.get("/points/?before=²").status_code == 200
    assert client.get("/points/shop/99999999999999999999999/redeem/").status_code == 404
    assert client.post("/points/redemptions/99999999999999999999999/cancel/").status_code == 404


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_an_adjustment_post_once(tree, personas):
    import threading

    from django.db import connection

    key, start, errors, ids = uuid.uuid4(), threading.Barrier(4), [], []

    def run():
        try:
            start.wait()
            ids.append(check_adjust(personas.community_staff, personas.resident, 5, "补录", key).pk)
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(set(ids)) == 1 and balance_of(personas.resident) == 5
