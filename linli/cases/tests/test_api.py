"""The cases API with the personas: the whole life of a case, who sees what, who may do what."""

import pytest

from linli.cases import actions
from linli.cases.models import Case, CaseFollower

from .api_support import (
    A1,
    A2,
    B1,
    CASES,
    NOWHERE,
    act,
    case_url,
    client_for,
    file_case,
    jpeg,
    ok,
)


def numbers(response):
    return {row["number"] for row in ok(response)["results"]}


def test_full_life_of_a_case_through_the_api(personas, categories):
    p = personas
    created = file_case(p.resident, photos=2, show_reporter_name=False)
    number = created["number"]
    assert created["status"] == "reported" and created["unlocated"] is False
    assert created["area"]["code"] == "350203001001001" and created["queue_area"]["code"] == "350203001"
    assert created["url"].endswith(case_url(number))
    created = ok(client_for(p.resident).get(created["url"]))
    assert created["view"] == "full"
    assert len(created["photos"]) == 2 and all(photo["thumbnail"] for photo in created["photos"])
    assert [event["action"] for event in created["timeline"]] == ["report"]
    assert created["allowed_actions"] == []  # nothing for the reporter until it is closed

    # The dispatcher sees it in the queue, with what it may do now.
    assert number in numbers(client_for(p.street_dispatcher, token=True).get(CASES))
    detail = ok(client_for(p.street_dispatcher).get(case_url(number)))
    assert {"accept", "reject"} <= set(detail["allowed_actions"])

    body = ok(act(p.street_dispatcher, number, "accept", note="收到"))
    assert body["status"] == "accepted"
    body = ok(act(p.street_dispatcher, number, "dispatch", unit=p.department.pk))
    assert body["status"] == "dispatched" and body["unit"]["id"] == p.department.pk
    assert body["resolve_due"]

    # The unit signs for it and resolves it with a photo of the fix.
    assert number in numbers(client_for(p.department_handler).get(CASES))
    assert ok(act(p.department_handler, number, "sign"))["status"] == "in_progress"
    body = ok(act(p.department_handler, number, "resolve", fmt="multipart", note="已清理", photos=[jpeg("fix.jpg")]))
    assert body["status"] == "resolved"
    assert len(body["photos"]) == 3
    resolve_event = body["timeline"][-1]
    assert resolve_event["action"] == "resolve" and resolve_event["note"] == "已清理"
    assert [photo["event"] for photo in body["photos"]].count(resolve_event["id"]) == 1

    # The grid worker verifies on site, the dispatcher closes, the resident rates.
    assert ok(act(p.grid_worker, number, "verify", note="现场已干净"))["status"] == "verified"
    assert ok(act(p.street_dispatcher, number, "close"))["status"] == "closed"
    mine = ok(client_for(p.resident).get(case_url(number)))
    assert set(mine["allowed_actions"]) >= {"rate"}
    body = ok(act(p.resident, number, "rate", rating=5, comment="很快，谢谢"))
    assert body["rating"] == 5 and body["rating_comment"] == "很快，谢谢"
    assert [event["action"] for event in body["timeline"]] == [
        "report", "accept", "dispatch", "sign", "resolve", "verify", "close", "rate",
    ]
    assert [event["to_status"] for event in body["timeline"]][:7] == [
        "reported", "accepted", "dispatched", "in_progress", "resolved", "verified", "closed",
    ]
    assert "rate" not in body["allowed_actions"]  # once


def test_an_action_in_the_wrong_state_is_409_with_the_allowed_actions(personas, categories):
    number = file_case(personas.resident)["number"]
    ok(act(personas.street_dispatcher, number, "accept"))
    response = act(personas.street_dispatcher, number, "accept")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "action_not_allowed" and body["message"]
    case = Case.objects.get(number=number)
    assert body["allowed_actions"] == actions.allowed_actions(personas.street_dispatcher, case)
    assert "dispatch" in body["allowed_actions"] and "accept" not in body["allowed_actions"]
    # Signing is the unit's action: before dispatch it is not in the unit's scope at all.
    assert act(personas.department_handler, number, "sign").status_code == 404


def test_bad_action_parameters_are_400(personas, categories):
    number = file_case(personas.resident)["number"]
    response = act(personas.street_dispatcher, number, "reject")  # no reason
    assert response.status_code == 400
    assert response.json()["code"] and response.json()["message"]
    response = act(personas.street_dispatcher, number, "no-such-action")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert "action" in response.json()["fields"]
    ok(act(personas.street_dispatcher, number, "accept"))
    response = act(personas.street_dispatcher, number, "dispatch", unit=987654)
    assert response.status_code == 400 and "unit" in response.json()["fields"]
    response = act(personas.street_dispatcher, number, "dispatch")  # no unit
    assert response.status_code == 400
    assert Case.objects.get(number=number).status == "accepted"


@pytest.fixture
def two_streets(personas, categories):
    """A dispatched case in street A (by the resident), one waiting in street B (by the outsider)."""
    a = file_case(personas.resident, A1)["number"]
    ok(act(personas.street_dispatcher, a, "accept"))
    ok(act(personas.street_dispatcher, a, "dispatch", unit=personas.department.pk))
    b = file_case(personas.outsider, B1)["number"]
    waiting = file_case(personas.resident, A1, description="还有一处")["number"]
    return {"a": a, "b": b, "waiting": waiting}


def test_each_persona_lists_exactly_its_own_cases(personas, two_streets):
    p, c = personas, two_streets
    expected = {
        "resident": {c["a"], c["waiting"]},
        "grid_worker": {c["a"], c["waiting"]},
        "community_staff": {c["a"], c["waiting"]},
        "street_dispatcher": {c["a"], c["waiting"]},
        "other_street_dispatcher": {c["b"]},
        "department_handler": {c["a"]},  # only what was dispatched to its unit
        "outsider": {c["b"]},  # their own report
    }
    for persona, seen in expected.items():
        assert numbers(client_for(getattr(p, persona)).get(CASES)) == seen, persona


def test_anonymous_requests_are_401(db, categories):
    for method, path in [("get", CASES), ("post", CASES), ("get", "/api/categories/"), ("get", "/api/ledger/")]:
        response = getattr(client_for(None), method)(path)
        assert response.status_code == 401, path
        assert response.json()["code"] == "not_authenticated"


def test_a_public_case_outside_the_scope_is_shown_without_the_reporter(personas, two_streets):
    number = two_streets["a"]
    for persona in ("other_street_dispatcher", "outsider"):
        body = ok(client_for(getattr(personas, persona)).get(case_url(number)))
        assert body["view"] == "public", persona
        assert body["reporter"] is None and body["show_reporter_name"] is None
        assert all(event["actor"] is None and event["note"] is None for event in body["timeline"])
        assert body["allowed_actions"] == []
        assert "13900000001" not in str(body) and "居民甲" not in str(body)
    # The reporter and the dispatcher see the full case, the dispatcher with a masked phone.
    assert ok(client_for(personas.resident).get(case_url(number)))["reporter"]["phone"] == "13900000001"
    staff = ok(client_for(personas.street_dispatcher).get(case_url(number)))
    assert staff["view"] == "full" and staff["reporter"] == {"name": "居民甲", "phone": "139****0001"}


def test_the_handling_unit_sees_the_reporter_only_when_allowed(personas, categories):
    hidden = file_case(personas.resident)["number"]
    shown = file_case(personas.resident, show_reporter_name=True)["number"]
    for number in (hidden, shown):
        ok(act(personas.street_dispatcher, number, "accept"))
        ok(act(personas.street_dispatcher, number, "dispatch", unit=personas.department.pk))
    handler = client_for(personas.department_handler)
    body = ok(handler.get(case_url(hidden)))
    assert body["view"] == "full" and body["reporter"] is None
    assert body["timeline"][0]["actor"] is None  # the report event would name the resident
    assert ok(handler.get(case_url(shown)))["reporter"]["name"] == "居民甲"


def test_rejected_cases_are_not_public(personas, categories):
    number = file_case(personas.resident)["number"]
    ok(act(personas.street_dispatcher, number, "reject", reason="不属于受理范围"))
    assert client_for(personas.other_street_dispatcher).get(case_url(number)).status_code == 404
    assert client_for(personas.outsider).get(case_url(number)).status_code == 404
    body = ok(client_for(personas.resident).get(case_url(number)))
    assert body["status"] == "rejected" and body["timeline"][-1]["note"] == "不属于受理范围"


@pytest.mark.parametrize(
    "persona, action, params",
    [
        ("other_street_dispatcher", "accept", {}),
        ("other_street_dispatcher", "reject", {"reason": "x"}),
        ("outsider", "accept", {}),
        ("resident", "accept", {}),
        ("grid_worker", "accept", {}),
        ("department_handler", "accept", {}),
        ("department_handler", "sign", {}),
    ],
)
def test_actions_outside_the_role_or_scope_are_404(personas, categories, persona, action, params):
    number = file_case(personas.resident)["number"]
    response = act(getattr(personas, persona), number, action, **params)
    assert response.status_code == 404, response.json()
    assert response.json()["code"] == "not_found"
    assert Case.objects.get(number=number).status == "reported"


def test_unknown_case_numbers_are_404(personas, categories):
    client = client_for(personas.street_dispatcher)
    for path in (case_url("2026-999999"), case_url("2026-999999", "actions/"), case_url("x", "follow/"),
                 "/api/cases/" + "9" * 40 + "/"):
        response = client.post(path, {"action": "accept"}, format="json") if path.endswith(("actions/", "follow/")) \
            else client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    nul = client.get("/api/cases/%00/")  # a NUL in the path: invalid input, before any lookup
    assert nul.status_code == 400 and nul.json()["code"] == "invalid"


def test_follow_and_duplicates(personas, categories):
    number = file_case(personas.resident)["number"]
    neighbour = client_for(personas.outsider)
    found = ok(neighbour.get(f"{CASES}duplicates/", {"category": "manhole", **A1}))
    assert [row["number"] for row in found] == [number]
    assert set(found[0]) == {"number", "status", "status_label", "category", "description", "address", "lat", "lng",
                             "area", "created_at", "distance"}  # nothing about the reporter
    assert found[0]["distance"] == 0.0
    assert ok(neighbour.get(f"{CASES}duplicates/", {"category": "dispute", **A1})) == []
    assert ok(neighbour.get(f"{CASES}duplicates/", {"category": "manhole", **B1})) == []

    assert ok(neighbour.get(f"{CASES}duplicates/", {"category": "manhole", "lat": 24.4713, "lng": 118.101}))[0][
        "distance"] == pytest.approx(33.4, abs=0.5)
    own = client_for(personas.resident).post(case_url(number, "follow/"))
    assert own.status_code == 400 and own.json()["code"] == "own_case"
    body = ok(neighbour.post(case_url(number, "follow/")))
    assert body == {"number": number, "following": True}
    assert ok(neighbour.post(case_url(number, "follow/"))) == body  # twice is once
    assert CaseFollower.objects.filter(case__number=number, user=personas.outsider).exists()
    detail = ok(neighbour.get(case_url(number)))
    assert detail["following"] is True
    assert detail["reporter"] is None  # a follower does not learn who reported
    assert number in numbers(neighbour.get(CASES))


def test_unlocated_reports_land_in_the_street_queue_and_are_placed_by_hand(personas, categories):
    body = file_case(personas.resident, NOWHERE)
    number = body["number"]
    assert body["unlocated"] is True and body["status"] == "reported"
    dispatcher = client_for(personas.street_dispatcher)
    detail = ok(dispatcher.get(case_url(number)))
    assert detail["area"]["code"] == "350203001" and "place" in detail["allowed_actions"]
    assert number in numbers(dispatcher.get(CASES, {"unlocated": "true"}))
    assert act(personas.street_dispatcher, number, "place", area="350203002001001").status_code == 400  # street B
    body = ok(act(personas.street_dispatcher, number, "place", area="350203001001002"))
    assert body["unlocated"] is False and body["area"]["code"] == "350203001001002"
    assert "place" not in body["allowed_actions"]
    assert act(personas.street_dispatcher, number, "place", area="350203001001001").status_code == 409
    assert act(personas.other_street_dispatcher, number, "place", area="350203001001001").status_code == 404


def test_categories_are_a_tree_with_inherited_limits(personas, categories):
    tree = ok(client_for(personas.resident).get("/api/categories/"))
    assert [root["code"] for root in tree] == ["component", "event"]
    component, event = tree
    assert [child["code"] for child in event["children"]] == ["street-order", "dispute"]  # not the inactive one
    facilities = component["children"][0]
    assert (facilities["code"], facilities["accept_hours"], facilities["resolve_days"]) == ("public-facilities", 4, 5)
    manhole = facilities["children"][0]
    assert (manhole["code"], manhole["accept_hours"], manhole["resolve_days"]) == ("manhole", 4, 2)
    assert manhole["default_priority"] == 4 and manhole["children"] == []
    dispute = event["children"][1]
    assert (dispute["accept_hours"], dispute["resolve_days"], dispute["kind"]) == (8, 10, "event")


def test_unknown_api_paths_are_json_404_on_both_prefixes(personas):
    client = client_for(personas.street_dispatcher)
    for path in ("/api/", "/api/nothing/", "/api/cases-x/", "/api/v1/nothing/", "/api/v1/cases/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    assert client.get("/api/v1/areas/").status_code == 200


def test_the_ledger_answers_only_inside_the_dispatch_scope(personas, categories):
    file_case(personas.resident, A1, photos=0)
    file_case(personas.resident, A1, photos=0)
    file_case(personas.outsider, B1, photos=0)
    body = ok(client_for(personas.street_dispatcher).get("/api/ledger/", {"area": "350203001"}))
    assert body["area"]["code"] == "350203001" and body["collected"] == 2 and body["open"] == 2
    assert [(row["key"], row["collected"]) for row in body["by_child_area"]] == [("350203001001", 2)]
    assert [(row["key"], row["collected"]) for row in body["by_category"]] == [("public-facilities", 2)]
    assert body["date_to"] and body["date_from"].endswith("-01-01")
    staff = client_for(personas.community_staff)
    assert ok(staff.get("/api/ledger/", {"area": "350203001001"}))["collected"] == 2
    assert staff.get("/api/ledger/", {"area": "350203001"}).status_code == 404
    for persona, area in [("other_street_dispatcher", "350203001"), ("resident", "350203001001"),
                          ("department_handler", "350203001"), ("outsider", "350203001"),
                          ("street_dispatcher", "350203002"), ("street_dispatcher", "999999999")]:
        response = client_for(getattr(personas, persona)).get("/api/ledger/", {"area": area})
        assert response.status_code == 404, (persona, area)
        assert response.json()["code"] == "not_found"


def test_dispatch_without_a_unit_goes_to_the_routed_unit(personas, routing_rules):
    number = file_case(personas.resident)["number"]
    created = ok(client_for(personas.resident).get(case_url(number)))
    assert created["unit"]["id"] == personas.department.pk  # chosen by the routing rule
    ok(act(personas.street_dispatcher, number, "accept"))
    body = ok(act(personas.street_dispatcher, number, "dispatch"))
    assert body["status"] == "dispatched" and body["unit"]["name"] == "市政园林局"
    assert body["timeline"][-1]["data"]["unit"] == personas.department.pk


def test_the_list_takes_the_queue_filters_and_pages_by_cursor(personas, categories):
    a = file_case(personas.resident, A1)["number"]
    ok(act(personas.street_dispatcher, a, "accept"))
    b = file_case(personas.resident, A2, category="dispute")["number"]
    client = client_for(personas.street_dispatcher)
    assert numbers(client.get(CASES, {"status": "accepted"})) == {a}
    assert numbers(client.get(CASES, {"status": ["accepted", "reported"]})) == {a, b}
    assert numbers(client.get(CASES, {"category": "component"})) == {a}  # with its subclasses
    assert numbers(client.get(CASES, {"category": "dispute"})) == {b}
    assert numbers(client.get(CASES, {"area": "350203001001002"})) == {b}
    assert numbers(client.get(CASES, {"q": b})) == {b}
    assert numbers(client.get(CASES, {"area": "350203002"})) == set()  # street B: nothing of theirs to see
    assert numbers(client_for(personas.other_street_dispatcher).get(CASES, {"area": "350203001"})) == set()
    first = ok(client.get(CASES, {"page_size": 1}))
    assert [row["number"] for row in first["results"]] == [b] and first["previous"] is None
    second = ok(client.get(first["next"]))
    assert [row["number"] for row in second["results"]] == [a] and second["next"] is None
    garbage = client.get(CASES, {"cursor": "garbage"})
    assert garbage.status_code == 400 and "cursor" in garbage.json()["fields"]
