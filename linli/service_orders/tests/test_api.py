"""The API: ordering, the detail with timeline and allowed actions, actions and their error bodies,
the permission matrix of the personas, and list query counts that do not grow with rows or timelines."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from linli.cases.tests.api_support import client_for, jpeg, not_an_image
from linli.service_orders import actions

pytestmark = pytest.mark.django_db

ORDERS = "/api/service-orders/orders/"
OFFERINGS = "/api/service-orders/offerings/"


def url(order, suffix=""):
    return f"{ORDERS}{order.pk}/{suffix}"


def act(user, order, action, fmt="json", **params):
    return client_for(user).post(url(order, "actions/"), {"action": action, **params}, format=fmt)


def test_a_resident_orders_from_the_menu_of_their_community(personas, offering, tree):
    menu = client_for(personas.resident).get(OFFERINGS)  # default: the resident's community
    assert [row["name"] for row in menu.json()["results"]] == ["上门家政"]
    assert client_for(personas.resident).get(OFFERINGS, {"area": tree.community_b.code}).json()["results"] == []
    start = timezone.now() + timedelta(days=1)
    response = client_for(personas.resident).post(ORDERS, {
        "offering": offering.pk, "address": "坑内路 12 号", "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(), "notes": "家里有老人",
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["kind"], body["area"], body["allowed_actions"]) == (
        "ordered", "housekeeping", tree.community_a.code, ["cancel"])
    assert [event["action"] for event in body["timeline"]] == ["order"]


def test_bad_input_is_a_400_with_code_and_fields(personas, offering):
    start = timezone.now() + timedelta(days=1)
    bad = client_for(personas.outsider).post(ORDERS, {  # no resident role: no community to default to
        "kind": "haircut", "address": "x", "starts_at": start.isoformat(), "ends_at": start.isoformat()},
        format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "bad_area" and "area" in bad.json()["fields"]
    worse = client_for(personas.resident).post(ORDERS, {"kind": "haircut"}, format="json")
    assert worse.status_code == 400 and worse.json()["code"] == "invalid"
    assert set(worse.json()["fields"]) >= {"address", "starts_at", "ends_at"}
    window = client_for(personas.resident).post(ORDERS, {
        "kind": "haircut", "address": "x", "starts_at": start.isoformat(), "ends_at": start.isoformat()},
        format="json")
    assert window.json() == {"code": "bad_time", "message": window.json()["message"],
                             "fields": {"ends_at": [window.json()["message"]]}}


def test_actions_answer_409_with_the_allowed_ones_and_400_for_bad_params(make_order, personas, leader):
    order = make_order("accepted")
    refused = act(personas.resident, order, "cancel")
    assert refused.status_code == 409
    assert refused.json()["code"] == "action_not_allowed" and refused.json()["allowed_actions"] == []
    bad = act(leader, order, "assign", volunteers=[])
    assert bad.status_code == 400 and bad.json()["code"] == "volunteers_required"
    unknown = act(leader, order, "fly")
    assert unknown.status_code == 400 and unknown.json()["code"] == "invalid"


def test_done_with_photos_over_multipart_and_a_bad_photo_refused(make_order, leader, members):
    order = make_order("accepted")
    assert act(leader, order, "assign", volunteers=[members[0].pk]).status_code == 200
    bad = act(leader, order, "complete", fmt="multipart", photos=[not_an_image()])
    assert bad.status_code == 400 and bad.json()["code"] == "not_an_image" and "photos" in bad.json()["fields"]
    order.refresh_from_db()
    assert order.status == "accepted" and order.photos.count() == 0  # nothing half-written
    done = act(leader, order, "complete", fmt="multipart", note="完成", photos=[jpeg(), jpeg("b.jpg")])
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "done" and len(done.json()["timeline"][-1]["photos"]) == 2
    hours = act(leader, order, "record_hours", hours={str(members[0].pk): "2"})
    assert hours.json()["volunteers"] == [{"user": members[0].pk, "name": "志愿者甲", "hours": "2.00", "points": 20}]
    corrected = act(leader, order, "correct_hours", hours={str(members[0].pk): "2.5"}, reason="多服务了半小时")
    assert corrected.json()["volunteers"][0]["points"] == 25
    unchanged = act(leader, order, "correct_hours", hours={str(members[0].pk): "2.5"}, reason="again")
    assert (unchanged.status_code, unchanged.json()["code"]) == (400, "nothing_changed")


def _everyone(personas, leader, other_leader):
    return {
        "resident": personas.resident, "grid_worker": personas.grid_worker,
        "community_staff": personas.community_staff, "street_dispatcher": personas.street_dispatcher,
        "other_street_dispatcher": personas.other_street_dispatcher,
        "department_handler": personas.department_handler, "outsider": personas.outsider,
        "leader": leader, "other_leader": other_leader,
    }


# Who may open an order of community A (street A) in each state.
SEES = {
    "ordered": {"resident", "community_staff", "street_dispatcher"},
    "published": {"resident", "community_staff", "street_dispatcher", "leader"},
    "dispatched": {"resident", "community_staff", "street_dispatcher", "leader"},
}
# What each may do then.
MAY = {
    "ordered": {"resident": ["cancel"], "community_staff": ["dispatch", "publish"],
                "street_dispatcher": ["dispatch", "publish"]},
    "published": {"resident": ["cancel"], "community_staff": ["dispatch"], "street_dispatcher": ["dispatch"],
                  "leader": ["grab"]},
    "dispatched": {"resident": ["cancel"], "leader": ["accept", "decline"]},
}


@pytest.mark.parametrize("state", list(SEES))
def test_permission_matrix(make_order, personas, leader, other_leader, state):
    order = make_order("dispatched" if state == "dispatched" else "ordered", published=state == "published")
    for name, user in _everyone(personas, leader, other_leader).items():
        detail = client_for(user).get(url(order))
        listed = any(
            row["id"] == order.pk
            for which in ("mine", "dispatch", "team", "board")
            for row in client_for(user).get(ORDERS, {"list": which}).json()["results"]
        )
        if name in SEES[state]:
            assert detail.status_code == 200, name
            assert detail.json()["allowed_actions"] == MAY[state].get(name, []), name
            assert listed, name
        else:
            assert detail.status_code == 404 and detail.json()["code"] == "not_found", name
            assert not listed, name
            # Acting on it is a 404 too, whatever the action: its existence is not revealed.
            for action in ("dispatch", "grab", "accept", "cancel"):
                assert act(user, order, action).status_code == 404, (name, action)


def test_another_teams_leader_cannot_touch_the_teams_order(make_order, other_leader, leader, members):
    order = make_order("accepted")
    for action, params in [("assign", {"volunteers": [members[0].pk]}), ("complete", {}), ("decline", {"reason": "x"})]:
        assert act(other_leader, order, action, **params).status_code == 404
    assert act(leader, order, "assign", volunteers=[members[0].pk]).status_code == 200


def test_only_the_teams_leader_manages_its_offerings(personas, team, leader, other_leader, tree, offering):
    body = {"team": team.pk, "name": "理发", "kind": "haircut", "areas": [tree.community_a.code]}
    assert client_for(other_leader).post(OFFERINGS, body, format="json").status_code == 404
    assert client_for(personas.community_staff).post(OFFERINGS, body, format="json").status_code == 404
    created = client_for(leader).post(OFFERINGS, body, format="json")
    assert created.status_code == 201 and created.json()["kind_label"]
    assert client_for(other_leader).patch(f"{OFFERINGS}{offering.pk}/", {"active": False}, format="json").status_code == 404
    off = client_for(leader).patch(f"{OFFERINGS}{offering.pk}/", {"active": False}, format="json")
    assert off.status_code == 200 and off.json()["active"] is False
    assert [row["name"] for row in client_for(personas.resident).get(OFFERINGS).json()["results"]] == ["理发"]


def fresh(user):
    """The user as a new request loads it (nothing cached on the instance)."""
    return type(user).objects.get(pk=user.pk)


def _count_list(user, which):
    client = client_for(fresh(user))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(ORDERS, {"list": which})
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


def test_the_lists_cost_the_same_for_few_and_many_orders_and_long_timelines(
        make_order, personas, leader, members, django_assert_num_queries):
    make_order("done")
    make_order(published=True)
    small = {which: _count_list(user, which) for which, user in
             [("mine", personas.resident), ("dispatch", personas.community_staff), ("team", leader),
              ("board", leader)]}
    for _ in range(3):
        order = make_order("done")
        actions.perform(leader, order, "record_hours", hours={str(members[0].pk): 1, str(members[1].pk): 2})
        actions.perform(personas.resident, order, "rate", rating=5)
        make_order(published=True)
    for which, user in [("mine", personas.resident), ("dispatch", personas.community_staff), ("team", leader),
                        ("board", leader)]:
        queries, rows = _count_list(user, which)
        assert rows > small[which][1], which
        client = client_for(fresh(user))
        with django_assert_num_queries(small[which][0]):
            client.get(ORDERS, {"list": which})
    assert max(count for count, _rows in small.values()) <= 8


def test_bad_list_params_are_400(personas):
    response = client_for(personas.resident).get(ORDERS, {"list": "everything"})
    assert response.status_code == 400 and "list" in response.json()["fields"]
    assert client_for(personas.resident).get(ORDERS, {"status": "lost"}).status_code == 400
    assert client_for(None).get(ORDERS).status_code in (401, 403)
