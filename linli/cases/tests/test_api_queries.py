"""The queue list and the case detail cost a fixed number of queries: not more with a longer
page or a longer timeline."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.cases.models import Case

from .api_support import (
    A1,
    CASES,
    act,
    case_url,
    client_for,
    file_case,
    ok,
)


@pytest.fixture(autouse=True)
def _generous_intake_budget(settings):
    # These tests file far more cases a minute than anyone would; the budgets have their own
    # tests (linli/core/tests/test_ratelimit.py).
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "intake-user": (10_000, 60), "intake-ip": (10_000, 60)}


def count_queries(client, path, **params):
    """(number of queries, body) of one GET."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200, response.json()
    return len(captured), response.json()


def file_cases(user, n):
    for _ in range(n):
        file_case(user, A1, photos=0)


@pytest.mark.parametrize("persona", ["street_dispatcher", "resident", "department_handler"])
def test_the_list_costs_the_same_for_5_and_40_cases(personas, categories, persona, django_assert_num_queries):
    user = getattr(personas, persona)
    file_cases(personas.resident, 5)
    for case in Case.objects.all():
        ok(act(personas.street_dispatcher, case.number, "accept"))
        ok(act(personas.street_dispatcher, case.number, "dispatch", unit=personas.department.pk))
    client = client_for(user, token=True)
    client.get(CASES)  # warm the grid index and the token's last-used stamp
    small, body = count_queries(client, CASES, page_size=50)
    assert len(body["results"]) == 5

    file_cases(personas.resident, 35)
    for case in Case.objects.filter(status="reported"):
        ok(act(personas.street_dispatcher, case.number, "accept"))
        ok(act(personas.street_dispatcher, case.number, "dispatch", unit=personas.department.pk))
    large, body = count_queries(client, CASES, page_size=50)
    assert len(body["results"]) == 40
    assert large == small
    with django_assert_num_queries(small):
        assert client.get(CASES, {"page_size": 50}).status_code == 200
    assert small <= 8, small


def test_the_next_page_costs_the_same(personas, categories):
    file_cases(personas.resident, 12)
    client = client_for(personas.street_dispatcher, token=True)
    client.get(CASES)
    first, body = count_queries(client, CASES, page_size=5)
    seen = [row["number"] for row in body["results"]]
    with CaptureQueriesContext(connection) as captured:
        body = ok(client.get(body["next"]))
    second = len(captured)
    assert second == first
    seen += [row["number"] for row in body["results"]]
    assert len(set(seen)) == 10
    assert seen == sorted(seen, key=lambda n: Case.objects.get(number=n).pk, reverse=True)


def test_the_detail_costs_the_same_for_2_and_20_events(personas, categories, django_assert_num_queries):
    short = file_case(personas.resident, photos=1)["number"]
    ok(act(personas.street_dispatcher, short, "accept"))  # report + accept: 2 events
    long = file_case(personas.resident, photos=3)["number"]
    ok(act(personas.street_dispatcher, long, "accept"))
    ok(act(personas.street_dispatcher, long, "dispatch", unit=personas.department.pk))
    for i in range(17):  # reminders keep the status and add events
        ok(act(personas.street_dispatcher, long, "remind", note=f"第{i + 1}次催办"))
    assert Case.objects.get(number=long).events.count() == 20

    for persona in ("street_dispatcher", "resident", "outsider"):
        client = client_for(getattr(personas, persona), token=True)
        client.get(case_url(short))
        few, body = count_queries(client, case_url(short))
        assert len(body["timeline"]) == 2
        many, body = count_queries(client, case_url(long))
        assert len(body["timeline"]) == 20
        assert many == few, persona
        with django_assert_num_queries(few):
            client.get(case_url(long))
        assert few <= 14, (persona, few)
