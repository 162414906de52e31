"""The volunteering API: in the OpenAPI schema, lists that cannot go N+1, JSON errors on any input."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from linli.volunteering.actions import check_mark_attendance, check_signup

PATHS = {
    "/api/volunteering/activities/": {"get", "post"},
    "/api/volunteering/activities/{id}/": {"get"},
    "/api/volunteering/activities/{id}/signup/": {"post"},
    "/api/volunteering/signups/": {"get"},
    "/api/volunteering/signups/{id}/cancel/": {"post"},
    "/api/volunteering/signups/{id}/mark/": {"post"},
    "/api/volunteering/volunteers/": {"get"},
    "/api/volunteering/volunteers/me/": {"get"},
    "/api/volunteering/volunteers/register/": {"post"},
    "/api/volunteering/volunteers/{number}/reveal-id/": {"post"},
    "/api/volunteering/attendances/": {"get"},
    "/api/volunteering/attendances/{id}/approve/": {"post"},
    "/api/volunteering/attendances/{id}/reject/": {"post"},
    "/api/volunteering/attendances/bulk-approve/": {"post"},
    "/api/volunteering/scan/": {"post"},
    "/api/volunteering/certificates/": {"get", "post"},
    "/api/volunteering/certificates/{number}/pdf/": {"get"},
}


def test_the_schema_describes_the_volunteering_api(db):
    schema = APIClient().get("/api/schema/?format=json").json()
    validate_schema(schema)
    for route, methods in PATHS.items():
        assert route in schema["paths"], route
        assert set(schema["paths"][route]) >= methods, route


def test_the_activity_list_costs_the_same_for_1_or_15_activities(client, make_activity, volunteer,
                                                                  django_assert_num_queries):
    make_activity()
    client.force_login(volunteer.user)
    with django_assert_num_queries(4) as one:  # session, user, count, page
        assert len(client.get("/api/volunteering/activities/").json()["results"]) == 1
    for i in range(14):
        make_activity(title=f"活动{i}", branches=[{"name": "分会场", "capacity": 2}])
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get("/api/volunteering/activities/").json()["results"]) == 15


def test_the_manager_lists_cost_the_same_for_more_rows(client, leader, make_activity, make_volunteer,
                                                       django_assert_num_queries):
    activity = make_activity(capacity=20)
    client.force_login(leader)

    def add(n, start):
        for i in range(start, start + n):
            signup = check_signup(make_volunteer(f"139000004{i:02d}", f"人{i}").user, activity)
            check_mark_attendance(leader, signup, activity.starts_at, activity.starts_at + timedelta(hours=1))

    add(1, 0)
    counts = {}
    for url in ("/api/volunteering/attendances/", "/api/volunteering/volunteers/", "/api/volunteering/activities/?managed=1"):
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        counts[url] = len(captured.captured_queries)
    add(8, 1)
    for url, count in counts.items():
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("method, url, body", [
    ("get", "/api/volunteering/activities/abc/", None),
    ("get", "/api/volunteering/activities/99999999999999999999/", None),
    ("post", "/api/volunteering/activities/1/signup/", {"venue": "x"}),
    ("post", "/api/volunteering/scan/", {"token": ["a"], "lat": "north"}),
    ("post", "/api/volunteering/attendances/bulk-approve/", {"ids": "all"}),
    ("post", "/api/volunteering/volunteers/register/", {"area": None}),
    ("post", "/api/volunteering/activities/", {"organization": "x", "capacity": -1}),
    ("post", "/api/volunteering/activities/", {"organization": 2**70, "capacity": 1}),
    ("post", "/api/volunteering/activities/1/signup/", {"venue": 2**70}),
    ("post", "/api/volunteering/attendances/bulk-approve/", {"ids": [2**70]}),
    ("post", "/api/volunteering/attendances/bulk-approve/", {"ids": ["²"]}),
    ("post", "/api/volunteering/signups/99999999999999999999/mark/", {}),
    ("post", "/api/volunteering/signups/²/mark/", {}),
    ("post", "/api/volunteering/signups/1/mark/", {"checked_in_at": "yesterday"}),
])
def test_bad_input_answers_a_json_error_never_a_500(client, volunteer, method, url, body):
    client.force_login(volunteer.user)
    response = getattr(client, method)(url, body, content_type="application/json") if body is not None else \
        getattr(client, method)(url)
    assert response.status_code in (400, 404), response.content[:300]
    assert {"code", "message"} <= set(response.json())


@pytest.mark.parametrize("value", ["²", "٣", "99999999999999999999", "-1", "abc", "0"])
def test_the_attendance_filter_takes_any_text(client, leader, make_activity, volunteer, value):
    activity = make_activity()
    check_mark_attendance(leader, check_signup(volunteer.user, activity), activity.starts_at, activity.ends_at)
    client.force_login(leader)
    response = client.get("/api/volunteering/attendances/", {"activity": value})
    assert response.status_code == 200 and response.json()["results"] == []
    assert len(client.get("/api/volunteering/attendances/", {"activity": activity.pk}).json()["results"]) == 1


def test_the_bulk_approval_action_refuses_what_is_not_an_id(leader):
    from linli.volunteering.actions import VolunteeringError, check_bulk_approve

    for ids in (["²"], [2**63], "12", [True], [None]):
        with pytest.raises(VolunteeringError) as error:
            check_bulk_approve(leader, ids)
        assert error.value.field == "ids"
    assert check_bulk_approve(leader, [2**63 - 1, "7"]) == 0
