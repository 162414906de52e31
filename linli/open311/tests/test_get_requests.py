"""GET requests.{json,xml} and requests/{id}: public cases only, no personal data, filters, limits."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.open311 import actions
from linli.open311.models import Jurisdiction

from .support import A1, B1, errors_of, get, json_of, post, xml_errors, xml_of

PERSONAL = ["小明", "王", "13912345678", "wang@example.org", "device-42", "acct-7", "居民甲", "13900000001"]


def ids(response, schema="requests"):
    return [row["service_request_id"] for row in json_of(response, 200, schema)]


def test_no_personal_data_in_any_get_answer(form, report, personas):
    filed = json_of(post(form()), 201, "post_response")[0]["service_request_id"]
    resident_case = report(reporter_name="居民甲", reporter_phone="13900000001").number
    answers = [
        get("requests.json"), get("requests.xml"),
        get(f"requests/{filed}.json"), get(f"requests/{filed}.xml"),
        get(f"requests/{resident_case}.json"),
    ]
    for response in answers:
        assert response.status_code == 200
        text = response.content.decode("utf-8")
        assert filed in text or resident_case in text
        for value in PERSONAL:
            assert value not in text, (value, response.request["PATH_INFO"])
        for field in ("first_name", "last_name", "phone", "email", "device_id", "account_id", "reporter"):
            assert field not in text


def test_request_fields_in_json_and_xml(case_at, personas, routing_rules):
    case = case_at("dispatched", category="manhole", address="仙岳路12号")
    row = json_of(get(f"requests/{case.number}.json"), 200, "request")[0]
    assert row["status"] == "open" and row["status_notes"]
    assert row["service_code"] == "manhole" and row["service_name"] == "井盖"
    assert row["agency_responsible"] == "市政园林局"
    assert row["address"] == "仙岳路12号" and row["address_id"] == "350203001001001"
    assert row["lat"] == pytest.approx(case.lat) and row["long"] == pytest.approx(case.lng)
    assert row["requested_datetime"].endswith("+08:00")
    assert row["expected_datetime"] == timezone.localtime(case.resolve_due).isoformat(timespec="seconds")

    root = xml_of(get(f"requests/{case.number}.xml"), 200, "service_requests")
    request = root.find("request")
    assert [child.tag for child in request] == list(row)
    assert request.findtext("service_request_id") == case.number
    assert request.findtext("agency_responsible") == "市政园林局"
    assert request.find("zipcode").text is None  # empty element


def test_status_maps_closed_and_filters(case_at, routing_rules):
    open_case = case_at("accepted")
    closed = case_at("closed")
    assert json_of(get(f"requests/{closed.number}.json"), 200, "request")[0]["status"] == "closed"
    assert ids(get("requests.json", status="open")) == [open_case.number]
    assert ids(get("requests.json", status="closed")) == [closed.number]
    assert ids(get("requests.json", status="open,closed")) == [closed.number, open_case.number]
    errors_of(get("requests.json", status="pending"), 400)
    xml_errors(get("requests.xml", status="pending"), 400)


def test_rejected_cases_are_not_public(case_at):
    rejected = case_at("rejected")
    errors_of(get(f"requests/{rejected.number}.json"), 404)
    xml_errors(get(f"requests/{rejected.number}.xml"), 404)
    assert ids(get("requests.json")) == []


def test_unknown_request_id_is_404(categories):
    errors_of(get("requests/2026-999999.json"), 404)
    xml_errors(get("requests/2026-999999.xml"), 404)


def test_ids_comma_list_overrides_other_filters(report, clock):
    clock.advance(days=-200)
    old = report().number
    clock.advance(days=200)
    new = report(category="greenery").number
    assert ids(get("requests.json", service_request_id=f"{old},{new}", service_code="manhole", status="closed")) == [
        new, old]
    errors_of(get("requests.json", service_request_id=",".join(str(n) for n in range(101))), 400)


def test_service_code_filter(report):
    manhole, greenery = report(category="manhole").number, report(category="greenery").number
    assert ids(get("requests.json", service_code="manhole")) == [manhole]
    assert ids(get("requests.json", service_code="manhole,greenery")) == [greenery, manhole]
    assert ids(get("requests.json", service_code="nothing")) == []


def test_default_window_is_the_last_90_days_and_dates_filter(report, clock):
    now = clock.now
    clock.now = now - timedelta(days=100)
    old = report().number
    clock.now = now - timedelta(days=10)
    recent = report().number
    clock.now = now
    assert ids(get("requests.json")) == [recent]
    start = (now - timedelta(days=120)).isoformat()
    end = (now - timedelta(days=50)).isoformat()
    assert ids(get("requests.json", start_date=start, end_date=end)) == [old]
    assert ids(get("requests.json", start_date=start)) == [old]  # start + 90 days
    assert ids(get("requests.json", end_date=end)) == [old]  # 90 days up to end
    local = timezone.localtime(now - timedelta(days=11)).strftime("%Y-%m-%dT%H:%M:%S")  # no offset: local time
    assert ids(get("requests.json", start_date=local)) == [recent]


@pytest.mark.parametrize("params", [
    {"start_date": "yesterday"},
    {"end_date": "2026-13-45T00:00:00Z"},
    {"start_date": "2026-05-01T00:00:00Z", "end_date": "2026-04-01T00:00:00Z"},  # ends before it starts
    {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},  # more than 90 days
])
def test_bad_dates_are_400(categories, params):
    errors_of(get("requests.json", **params), 400)
    xml_errors(get("requests.xml", **params), 400)


def test_at_most_the_configured_number_of_results_newest_first(report, settings):
    numbers = [report().number for _ in range(5)]
    settings.OPEN311_MAX_REQUESTS = 3
    assert ids(get("requests.json")) == numbers[::-1][:3]


def test_the_default_cap_is_1000(db):
    from linli.open311.views import max_results

    assert max_results() == 1000


def test_query_count_does_not_grow_with_results(report, form, case_at, routing_rules, photo_file,
                                                django_assert_num_queries):
    report(photos=[photo_file()])
    json_of(post(form()), 201, "post_response")
    # jurisdictions, cases (with category, unit and Open311 row), their photos
    with django_assert_num_queries(3):
        assert len(ids(get("requests.json"))) == 2
    for status in ("dispatched", "closed", "reported"):
        case_at(status, photos=[photo_file()])
    json_of(post(form()), 201, "post_response")
    with django_assert_num_queries(3):
        assert len(ids(get("requests.json"))) == 6
    with django_assert_num_queries(3):
        xml_of(get("requests.xml"), 200, "service_requests")


def test_jurisdictions_limit_requests(tree, report, form):
    actions.check_save_jurisdiction(Jurisdiction(jurisdiction_id="kaiyuan", name="开元街道", area=tree.street_a))
    only_a = report().number
    # With one jurisdiction the id is optional.
    assert ids(get("requests.json")) == [only_a]
    actions.check_save_jurisdiction(Jurisdiction(jurisdiction_id="zhonghua", name="中华街道", area=tree.street_b))
    in_b = report(grid=tree.grid_b1).number
    assert ids(get("requests.json", jurisdiction_id="kaiyuan")) == [only_a]
    assert ids(get("requests.json", jurisdiction_id="zhonghua")) == [in_b]
    json_of(get(f"requests/{in_b}.json", jurisdiction_id="zhonghua"), 200, "request")
    errors_of(get(f"requests/{in_b}.json", jurisdiction_id="kaiyuan"), 404)
    errors_of(get("requests.json"), 400)  # several: say which
    errors_of(get("requests.json", jurisdiction_id="gulangyu"), 404)
    xml_errors(get("requests.xml", jurisdiction_id="gulangyu"), 404)


def test_posted_points_land_in_their_grid(form, tree):
    a = json_of(post(form(**A1)), 201, "post_response")[0]["service_request_id"]
    b = json_of(post(form(**B1)), 201, "post_response")[0]["service_request_id"]
    rows = {row["service_request_id"]: row for row in json_of(get("requests.json"), 200, "requests")}
    assert rows[a]["address_id"] == tree.grid_a1.code and rows[b]["address_id"] == tree.grid_b1.code


@pytest.mark.parametrize("params", [
    {"start_date": "9999-12-31T23:59:59Z"},
    {"end_date": "0001-01-01T00:00:00Z"},
    {"start_date": "2026-01-01T00:00:00+99:00"},
    {"service_request_id": ",,,"},
    {"service_code": "%", "status": ""},
    {"service_request_id": "x" * 5000},
    {"jurisdiction_id": "é" * 300},
    {"api_key": "\x00"},
])
def test_odd_queries_are_never_a_server_error(categories, params):
    for fmt in ("json", "xml"):
        response = get(f"requests.{fmt}", **params)
        assert response.status_code in (200, 400, 403, 404), response.content
        if response.status_code == 200:
            assert response.content.startswith(b"[" if fmt == "json" else b"<?xml")
