"""The API keeps its contract under generated input: Schemathesis reads /api/schema/ and sends
every operation valid and invalid requests, signed in as a person with real data.

Checks on every response: no server error; the status code is documented for the operation;
the content type and the body match what the schema documents for that status; documented
headers (Retry-After on 429) are there. Bounded and derandomized, so a run takes the same
requests every time and stays within a couple of minutes.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings as hypothesis_settings, strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from linli.accounts.actions import do_issue_token
from linli.cases.choices import CaseStatus
from linli.cases.testing import center_of

pytestmark = pytest.mark.contract

EXAMPLES_PER_OPERATION = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
STATUSES = [CaseStatus.REPORTED, CaseStatus.ACCEPTED, CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS,
            CaseStatus.RESOLVED, CaseStatus.CLOSED]


@pytest.fixture
def app(settings):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    # As Django's test client does: a request must not close the connection holding the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def real_data(tree, personas, case_at):
    """Cases in several states (one on the claim board), the codes and ids to aim at, and
    requests that mean something (a real category at a real point), besides random ones."""
    cases = [case_at(status) for status in STATUSES] + [case_at(CaseStatus.ACCEPTED, publish=True)]
    lat, lng = center_of(tree.grid_a1)
    return {
        # Each with a NUL among them: a path segment PostgreSQL cannot hold answers 400 too.
        "path": {
            "number": [case.number for case in cases] + [cases[0].number + NUL],
            "code": [tree.street_a.code, tree.grid_a1.code, tree.street_b.code, NUL],
            "id": [personas.department.pk, personas.federation.pk, f"{personas.department.pk}{NUL}"],
        },
        "query": {
            "/api/cases/duplicates/": {"category": "public-facilities", "lat": lat, "lng": lng},
            "/api/ledger/": {"area": tree.street_a.code},
            "/api/v1/locate/": {"lat": lat, "lng": lng},
        },
        "body": {
            "/api/cases/": {"category": "public-facilities", "description": "路灯不亮", "lat": lat, "lng": lng},
            "/api/v1/auth/code/": {"phone": "13800000011"},
        },
    }


def strategy_for(operation, real_data):
    """Generated requests, valid and invalid alike; part of them aimed at objects that exist
    (path parameters from real_data) or built on a meaningful query or body."""
    names = [parameter.name for parameter in operation.path_parameters]
    strategies = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        strategies.append(operation.as_strategy(generation_mode=mode))
        if names:
            values = real_data["path"][names[0]]
            for value in values:
                strategies.append(operation.as_strategy(generation_mode=mode, path_parameters={names[0]: value}))
    if operation.path in real_data["query"]:
        strategies.append(operation.as_strategy(query=real_data["query"][operation.path]))
    if operation.path in real_data["body"]:
        strategies.append(operation.as_strategy(body=real_data["body"][operation.path], media_type="application/json"))
    return st.one_of(strategies)


def run_operation(operation, real_data, authorization):
    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: report the first failure as found
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy_for(operation, real_data))
    def check(case):
        # identity: the WSGI transport does not undo gzip (test_static_build checks compression)
        response = case.call(headers={"Authorization": authorization(), "Accept-Encoding": "identity"})
        case.validate_response(response, checks=CHECKS)

    check()


@pytest.mark.parametrize("persona", ["street_dispatcher", "resident"])
def test_every_operation_keeps_the_contract(db, app, personas, real_data, persona):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
    user = getattr(personas, persona)
    token = do_issue_token(user)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 18

    failures = []
    for operation in operations:
        if operation.path.endswith("/auth/logout/"):
            # Logging out revokes the token it is called with: a fresh one each time.
            def authorization():
                return f"Bearer {do_issue_token(user)}"
        else:
            def authorization():
                return f"Bearer {token}"
        try:
            run_operation(operation, real_data, authorization)
        except Exception as failure:  # collect them all, one operation's failure hides no other
            failures.append(f"{operation.method.upper()} {operation.path}:\n{failure}")
    assert not failures, "\n\n".join(failures)


HOSTILE_JSON = "[" * 5000  # past Python's recursion limit: the parser must refuse it, not crash
NUL = "\x00x"  # PostgreSQL cannot hold NUL in a text value


@pytest.mark.parametrize("persona", ["street_dispatcher", "resident"])
def test_every_operation_refuses_nested_json_and_nul_queries_without_a_server_error(
        db, app, personas, real_data, persona):
    """Hypothesis rarely builds these two, so a plain loop sends them to every operation: a
    JSON body nested 5000 deep, and NUL in every query parameter (documented or not)."""
    from urllib.parse import urlencode

    from rest_framework.test import APIClient

    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    user = getattr(personas, persona)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {do_issue_token(user)}")
    server_errors = []
    for operation in operations:
        path = operation.path
        for parameter in operation.path_parameters:
            path = path.replace("{%s}" % parameter.name, str(real_data["path"].get(parameter.name, ["1"])[0]))
        names = [parameter.name for parameter in operation.query] + ["q"]
        method = getattr(client, operation.method.lower())
        response = method(f"{path}?{urlencode({name: NUL for name in names})}")
        if operation.method.lower() == "get":
            sent = [("NUL query", response)]
        else:
            sent = [("NUL query", response),
                    ("nested JSON", method(path, HOSTILE_JSON, content_type="application/json"))]
        for what, response in sent:
            if response.status_code >= 500:
                server_errors.append(f"{operation.method.upper()} {path} with {what}: {response.status_code}")
            elif what == "NUL query":
                assert response.status_code == 400 and response.json()["code"] == "invalid", (path, response)
        if operation.path.endswith("/auth/logout/"):  # it revoked the token
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {do_issue_token(user)}")
    assert len(operations) >= 18
    assert not server_errors, "\n".join(server_errors)
