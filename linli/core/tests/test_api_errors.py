"""Every API error is a JSON body with a code and a translated message; no input gives a 500."""

import itertools

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from linli.accounts.actions import do_issue_token

GARBAGE = ["", "abc", "-1", "1e309", "NaN", "999999999999999999999", "'; DROP TABLE x;--", "%00", "北京", "[]", "{}"]


@pytest.fixture
def api(personas):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {do_issue_token(personas.street_dispatcher)}")
    return client


@pytest.mark.parametrize("debug", [True, False])
def test_unknown_api_path_is_json_404(settings, db, debug):
    settings.DEBUG = debug
    response = APIClient().get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "未找到。"}


def test_messages_follow_the_request_language(db):
    response = APIClient().get(reverse("api-me"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "not_authenticated"
    assert body["message"] == "Authentication credentials were not provided."
    chinese = APIClient().get(reverse("api-me")).json()
    assert chinese["code"] == "not_authenticated" and chinese["message"] != body["message"]


@pytest.mark.parametrize(
    "path, params",
    [
        ("/api/v1/areas/", ["level", "parent", "within", "code", "q", "page"]),
        ("/api/v1/organizations/", ["kind", "area", "area_level", "new_sector", "parent", "within", "q", "page"]),
        ("/api/v1/coverage/", ["area", "kind", "level", "host_kind", "new_sector", "within"]),
        ("/api/v1/locate/", ["lat", "lng", "coord_system"]),
    ],
)
def test_garbage_query_strings_never_give_a_server_error(api, path, params):
    for name, value in itertools.product(params, GARBAGE):
        response = api.get(path, {name: value})
        assert response.status_code < 500, (name, value, response.status_code)
        if response.status_code >= 400:
            body = response.json()
            assert set(body) >= {"code", "message"}, body


@pytest.mark.parametrize("code", ["0", "abc", "35020300100100199", "3502'", "%2e%2e"])
def test_garbage_in_detail_paths_is_a_json_404(api, code):
    for path in (f"/api/v1/areas/{code}/", f"/api/v1/areas/{code}/geojson/", f"/api/v1/organizations/{code}/"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/v1/auth/code/", {"phone": "not-a-phone"}),
        ("/api/v1/auth/code/", {}),
        ("/api/v1/auth/code/", {"phone": ["13800000001"]}),
        ("/api/v1/auth/login/", {"phone": "13800000001", "code": "x" * 1000}),
        ("/api/v1/auth/login/", {"phone": None, "code": None}),
    ],
)
def test_garbage_bodies_to_the_login_api_are_json_errors(db, path, body):
    response = APIClient().post(path, body, format="json")
    assert 400 <= response.status_code < 500
    assert set(response.json()) >= {"code", "message"}


def test_malformed_json_is_a_json_error(db):
    response = APIClient().post("/api/v1/auth/code/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
