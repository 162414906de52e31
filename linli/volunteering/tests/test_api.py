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
])
def test_bad_input_answers_a_json_error_never_a_500(client, volunteer, method, url, body):
    client.force_login(volunteer.user)
    response = getattr(client, method)(url, body, content_type="application/json") if body is not None else \
        getattr(client, method)(url)
    assert response.status_code in (400, 404), response.content[:300]
    assert {"code", "message"} <= set(response.json())
