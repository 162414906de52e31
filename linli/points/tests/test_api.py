"""The points API and who may do what: each persona against the others' data."""

import pytest
from rest_framework.test import APIClient

from linli.points.actions import balance_of, check_redeem
from linli.points.models import Redemption

from .conftest import give, make_reward


def api(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_statement_and_keyset_pages(personas):
    for k in range(25):
        give(personas.resident, 2, f"e{k}")
    first = api(personas.resident).get("/api/points/statement/").json()
    assert first["balance"] == 50 and len(first["entries"]) == 20 and first["next_before"]
    second = api(personas.resident).get(f"/api/points/statement/?before={first['next_before']}").json()
    assert len(second["entries"]) == 5 and second["next_before"] is None
    bad = api(personas.resident).get("/api/points/statement/?before=-3")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"


def test_redeem_cancel_and_fulfil_through_the_api(personas, reward):
    give(personas.resident, 15, "e1")
    created = api(personas.resident).post(f"/api/points/rewards/{reward.pk}/redeem/")
    assert created.status_code == 201 and created.json()["status"] == "pending"
    refused = api(personas.resident).post(f"/api/points/rewards/{reward.pk}/redeem/")
    assert refused.status_code == 400 and refused.json()["code"] == "insufficient_points"
    assert [r["code"] for r in api(personas.resident).get("/api/points/redemptions/").json()] == [
        created.json()["code"]]
    handed = api(personas.community_staff).post("/api/points/fulfil/", {"code": created.json()["code"]}, format="json")
    assert handed.status_code == 200 and handed.json()["status"] == "fulfilled"
    twice = api(personas.community_staff).post("/api/points/fulfil/", {"code": created.json()["code"]}, format="json")
    assert twice.status_code == 400 and twice.json()["code"] == "already_fulfilled"
    late = api(personas.resident).post(f"/api/points/redemptions/{created.json()['id']}/cancel/")
    assert late.status_code == 400 and late.json()["code"] == "not_pending"


def test_leaderboard_api(personas):
    give(personas.grid_worker, 12, "g1")
    body = api(personas.outsider).get("/api/points/leaderboard/?area=350203&period=quarter").json()
    assert body["ranks"] == [{"rank": 1, "name": "网格员甲", "points": 12}]
    for query in ("", "?area=abc", "?area=350203&period=week", "?area=350203&date=1900-01-01"):
        response = api(personas.outsider).get(f"/api/points/leaderboard/{query}")
        assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_errors_are_json(personas, reward):
    assert api(None).get("/api/points/statement/").status_code in (401, 403)
    missing = api(personas.resident).post("/api/points/rewards/999999999999999999999/redeem/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    empty = api(personas.community_staff).post("/api/points/fulfil/", {}, format="json")
    assert empty.status_code == 400 and empty.json()["code"] == "invalid"


# who: (sees the reward in the shop, may redeem, may fulfil/cancel others' redemptions of it)
MATRIX = {
    "resident": (True, True, False),
    "grid_worker": (True, True, False),  # works in the community: its shop is theirs too
    "community_staff": (True, True, True),
    "street_dispatcher": (False, False, False),  # a street above the community: not its shop, not its staff
    "department_handler": (False, False, False),
    "outsider": (False, False, False),
    "org_admin": (False, False, False),  # only rewards their organization provides
}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_permission_matrix(tree, personas, persona):
    user = getattr(personas, persona)
    sees, redeems, manages = MATRIX[persona]
    reward = make_reward(tree.community_a)
    give(user, 100, f"{persona}-e")
    ids = [r["id"] for r in api(user).get("/api/points/rewards/").json()]
    assert (reward.pk in ids) is sees
    response = api(user).post(f"/api/points/rewards/{reward.pk}/redeem/")
    assert response.status_code == (201 if redeems else 404)
    # someone else's redemption
    give(personas.resident, 10, "theirs")
    theirs = Redemption.objects.get(pk=check_redeem(personas.resident, reward.pk).pk) if persona != "resident" \
        else None
    if theirs is not None:
        handed = api(user).post("/api/points/fulfil/", {"code": theirs.code}, format="json")
        assert handed.status_code == (200 if manages else 404)
        cancelled = api(user).post(f"/api/points/redemptions/{theirs.pk}/cancel/")
        assert cancelled.status_code == ((400 if manages else 404))  # 400: already handed over
    # one's own statement only: nobody sees the resident's balance through theirs
    assert api(user).get("/api/points/statement/").json()["balance"] == balance_of(user)


def test_an_org_admin_runs_the_rewards_their_organization_provides(tree, personas):
    from linli.orgs.actions import do_create_organization

    provided = make_reward(tree.community_a, provider=personas.federation, name="妇联手工课")
    other = do_create_organization(parent=None, name="家政公司", kind="enterprise", area=tree.street_a)
    not_theirs = make_reward(tree.community_a, provider=other)
    give(personas.resident, 100, "e1")
    mine = check_redeem(personas.resident, provided.pk)
    theirs = check_redeem(personas.resident, not_theirs.pk)
    admin = api(personas.org_admin)
    assert admin.post("/api/points/fulfil/", {"code": theirs.code}, format="json").status_code == 404
    assert admin.post(f"/api/points/redemptions/{mine.pk}/cancel/").status_code == 200
    assert balance_of(personas.resident) == 90


def test_the_schema_describes_the_points_api(client, db):
    schema = client.get("/api/schema/?format=json").json()
    assert {"/api/points/statement/", "/api/points/leaderboard/", "/api/points/rewards/{id}/redeem/",
            "/api/points/fulfil/"} <= set(schema["paths"])


def test_lists_cost_the_same_queries_whatever_the_rows(tree, personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    give(personas.resident, 1000, "e1")
    client = api(personas.resident)

    def counts():
        with CaptureQueriesContext(connection) as rewards:
            client.get("/api/points/rewards/")
        with CaptureQueriesContext(connection) as redemptions:
            client.get("/api/points/redemptions/")
        with CaptureQueriesContext(connection) as statement:
            client.get("/api/points/statement/")
        return len(rewards), len(redemptions), len(statement)

    first = make_reward(tree.community_a, provider=personas.federation)
    check_redeem(personas.resident, first.pk)
    few = counts()
    for k in range(5):
        reward = make_reward(tree.community_a, provider=personas.department, name=f"r{k}")
        check_redeem(personas.resident, reward.pk)
    assert counts() == few


def test_staff_pages_cost_the_same_queries_whatever_the_rows(client, tree, personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    give(personas.resident, 1000, "e1")
    client.force_login(personas.community_staff)

    def counts():
        result = []
        for url in ("/points/catalog/", "/points/catalog/redemptions/"):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            result.append(len(captured))
        return result

    check_redeem(personas.resident, make_reward(tree.community_a).pk)
    few = counts()
    for k in range(5):
        check_redeem(personas.resident, make_reward(tree.community_a, provider=personas.department, name=f"r{k}").pk)
    assert counts() == few
