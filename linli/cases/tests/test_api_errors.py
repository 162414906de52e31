"""Bad input to the cases API: each a clear 4xx JSON body, never a server error."""

import io
import itertools
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from linli.cases.models import Case
from linli.cases.serializers import ACTION_PARAMS
from linli.core import media

from .api_support import (
    A1,
    CASES,
    NOWHERE,
    act,
    case_url,
    client_for,
    file_case,
    jpeg,
    not_an_image,
    ok,
    report_body,
)

GARBAGE = [
    "", " ", "abc", "-1", "0", "1e309", "-1e309", "NaN", "inf", "999999999999999999999999", "1" * 1200,
    "'; DROP TABLE cases_case;--", "%00", "\x00", "北京", "[]", "{}", "true", "2026-13-45", "../../etc/passwd",
]
JSON_GARBAGE = [None, True, -1, 0, 1.5, 10**30, -(10**30), "", "x" * 5000, [], ["a", "b"], {}, {"a": 1}, "\x00"]

REPORT_FIELDS = ["category", "description", "lat", "lng", "coord_system", "address", "channel", "show_reporter_name",
                 "reporter_name", "reporter_phone", "photos"]


@pytest.fixture(autouse=True)
def _generous_intake_budget(settings):
    # These tests file far more cases a minute than anyone would; the budgets have their own
    # tests (linli/core/tests/test_ratelimit.py).
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "intake-user": (10_000, 60), "intake-ip": (10_000, 60)}


def assert_client_error(response, *context):
    assert 400 <= response.status_code < 500, (context, response.status_code, response.content[:300])
    body = response.json()
    assert isinstance(body.get("code"), str) and body.get("message"), (context, body)
    return body


def assert_no_server_error(response, *context):
    assert response.status_code < 500, (context, response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert_client_error(response, *context)


@pytest.fixture
def dispatcher(personas, categories):
    return client_for(personas.street_dispatcher)


@pytest.mark.parametrize(
    "body, field, code",
    [
        ({"lat": None, "lng": None}, "lat", "no_location"),
        ({"lat": 24.471, "lng": None}, "lng", "bad_coordinates"),
        ({"lat": 91, "lng": 118.1}, "lat", "invalid"),
        ({"lat": 24.4, "lng": -181}, "lng", "invalid"),
        ({"lat": "north", "lng": 118.1}, "lat", "invalid"),
        ({"category": "no-such-category"}, "category", "unknown_category"),
        ({"category": "retired"}, "category", "unknown_category"),  # inactive
        ({"category": ""}, "category", "invalid"),
        ({"description": ""}, "description", "description_required"),
        ({"description": "x" * 5001}, "description", "too_long"),
        ({"channel": "telepathy"}, "channel", "invalid"),
        ({"channel": "hotline"}, "channel", "channel_not_allowed"),  # staff only
        ({"coord_system": "bd09"}, "coord_system", "invalid"),
        ({"reporter_phone": "12345"}, "reporter_phone", "bad_phone"),
    ],
)
def test_bad_reports_are_400_and_file_nothing(personas, categories, body, field, code):
    data = {**report_body(), **body}
    data = {key: value for key, value in data.items() if value is not None}
    response = client_for(personas.resident).post(CASES, data, format="json")
    error = assert_client_error(response, body)
    assert response.status_code == 400, error
    assert error["code"] == code and field in error.get("fields", {}), error
    assert not Case.objects.exists()


def test_bad_photos_are_400(personas, categories):
    client = client_for(personas.resident)

    def post(photos):
        return client.post(CASES, {**report_body(), "photos": photos}, format="multipart")

    cases = {
        "text renamed .jpg": ([not_an_image("evidence.jpg")], "not_an_image"),
        "ten photos": ([jpeg(f"p{i}.jpg", size=(64, 64)) for i in range(10)], "too_many_photos"),
        "empty file": ([SimpleUploadedFile("empty.jpg", b"", content_type="image/jpeg")], "invalid"),
        "truncated jpeg": ([SimpleUploadedFile("cut.jpg", jpeg().read()[:400], content_type="image/jpeg")],
                           "not_an_image"),
        "not a file": (["just a string"], "invalid"),
    }
    for name, (photos, code) in cases.items():
        response = post(photos)
        error = assert_client_error(response, name)
        assert response.status_code == 400, (name, error)
        assert error["code"] == code and "photos" in error["fields"], (name, error)
    assert not Case.objects.exists()


@pytest.mark.parametrize("make", ["bytes", "pixels", "gif"])
def test_an_oversize_or_foreign_image_is_400(personas, categories, make):
    upload = {"bytes": oversize_image, "pixels": too_many_pixels, "gif": gif}[make]()
    response = client_for(personas.resident).post(CASES, {**report_body(), "photos": [upload]}, format="multipart")
    error = assert_client_error(response)
    assert response.status_code == 400, error
    assert error["code"] == ("format_not_allowed" if make == "gif" else "too_large"), error
    assert "photos" in error["fields"]
    assert not Case.objects.exists()


def oversize_image():
    """A real JPEG past the byte cap of case photos (noise compresses badly)."""
    limit = media.CASE_PHOTO_RULE.max_bytes
    side = 512
    while True:
        buffer = io.BytesIO()
        Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "JPEG", quality=100)
        if buffer.tell() > limit:
            return SimpleUploadedFile("big.jpg", buffer.getvalue(), content_type="image/jpeg")
        side *= 2


def too_many_pixels():
    """A small file declaring a huge image (a decompression bomb)."""
    buffer = io.BytesIO()
    Image.new("1", (8000, 6000)).save(buffer, "PNG")
    return SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")


def gif():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "blue").save(buffer, "GIF")
    return SimpleUploadedFile("anim.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_garbage_in_every_report_field_never_gives_a_server_error(personas, categories):
    client = client_for(personas.resident)
    for field, value in itertools.product(REPORT_FIELDS, GARBAGE):
        response = client.post(CASES, {**report_body(), field: value}, format="multipart")
        assert_no_server_error(response, "multipart", field, value)
    for field, value in itertools.product(REPORT_FIELDS, JSON_GARBAGE):
        response = client.post(CASES, {**report_body(), field: value}, format="json")
        assert_no_server_error(response, "json", field, value)


def test_garbage_bodies_never_give_a_server_error(personas, categories):
    client = client_for(personas.resident)
    for body in ["{not json", "[]", "null", "1", '"x"', '{"category": {"$gt": ""}}', "\x00" * 10]:
        assert_no_server_error(client.post(CASES, body, content_type="application/json"), body)
    assert_no_server_error(client.post(CASES, "a=b", content_type="text/plain"), "text/plain")
    assert_no_server_error(client.post(CASES, b"--x\r\n", content_type="multipart/form-data; boundary=x"), "multipart")


# Who takes which actions on a case in which status, so that every parameter reaches its check.
SCENARIOS = [
    ("reported", False, "street_dispatcher", ["accept", "reject", "escalate"]),
    ("accepted", False, "street_dispatcher", ["dispatch", "publish", "remind", "supervise"]),
    ("accepted", True, "department_handler", ["claim"]),
    ("dispatched", False, "street_dispatcher", ["assist"]),
    ("dispatched", False, "department_handler", ["sign", "return"]),
    ("in_progress", False, "department_handler", ["resolve"]),
    ("resolved", False, "grid_worker", ["verify", "rework"]),
    ("verified", False, "street_dispatcher", ["close"]),
    ("closed", False, "resident", ["rate", "reopen"]),
]


def post_and_roll_back(client, url, body, fmt):
    """Every attempt starts from the same case: the request's writes are rolled back."""
    with transaction.atomic():
        response = client.post(url, body, format=fmt)
        transaction.set_rollback(True)
    return response


def test_garbage_in_every_action_parameter_never_gives_a_server_error(personas, case_at):
    assert set(ACTION_PARAMS) == {action for *_, names in SCENARIOS for action in names} | {"place"}
    for status, publish, persona, names in SCENARIOS:
        case = case_at(status, publish=publish)
        client, url = client_for(getattr(personas, persona)), case_url(case.number, "actions/")
        for action in names:
            assert ok(client.get(case_url(case.number)))["allowed_actions"].count(action) == 1, (status, action)
            for field in ACTION_PARAMS[action]:
                for fmt, values in (("multipart", GARBAGE), ("json", JSON_GARBAGE)):
                    for value in values:
                        response = post_and_roll_back(client, url, {"action": action, field: value}, fmt)
                        assert_no_server_error(response, action, field, fmt, value)
    unlocated = file_case(personas.resident, NOWHERE)["number"]
    client = client_for(personas.street_dispatcher)
    for fmt, values in (("multipart", GARBAGE), ("json", JSON_GARBAGE)):
        for value in values:
            response = post_and_roll_back(client, case_url(unlocated, "actions/"), {"action": "place", "area": value}, fmt)
            assert_no_server_error(response, "place", fmt, value)
            response = post_and_roll_back(client, case_url(unlocated, "actions/"), {"action": value}, fmt)
            assert_no_server_error(response, "action", fmt, value)
            assert response.status_code == 400


def test_garbage_query_strings_never_give_a_server_error(personas, dispatcher):
    file_case(personas.resident)
    endpoints = {
        CASES: ["status", "category", "area", "channel", "overdue", "due_soon", "claimable", "q", "cursor",
                "page_size", "unit", "sla_state", "priority"],
        f"{CASES}duplicates/": ["category", "lat", "lng", "coord_system"],
        "/api/ledger/": ["area", "from", "to"],
        "/api/categories/": ["kind"],
    }
    for path, params in endpoints.items():
        for name, value in itertools.product(params, GARBAGE):
            base = {"category": "manhole", **A1} if "duplicates" in path else {}
            if path == "/api/ledger/":
                base = {"area": "350203001"}
            assert_no_server_error(dispatcher.get(path, {**base, name: value}), path, name, value)


def test_duplicates_and_ledger_refuse_bad_queries(personas, dispatcher):
    for query in ({}, {"category": "manhole"}, {"category": "nope", **A1},
                  {"category": "manhole", "lat": 95, "lng": 118}):
        assert dispatcher.get(f"{CASES}duplicates/", query).status_code == 400, query
    for query in ({}, {"area": "x"}, {"area": "350203001", "from": "2026-02-30"},
                  {"area": "350203001", "from": "2026-03-01", "to": "2026-02-01"}):
        assert dispatcher.get("/api/ledger/", query).status_code == 400, query


def test_a_wrong_content_type_for_resolve_photos_is_a_clear_400(personas, categories):
    number = file_case(personas.resident)["number"]
    ok(act(personas.street_dispatcher, number, "accept"))
    ok(act(personas.street_dispatcher, number, "dispatch", unit=personas.department.pk))
    ok(act(personas.department_handler, number, "sign"))
    for photos in ([], [not_an_image()], [jpeg(f"p{i}.jpg", size=(64, 64)) for i in range(10)]):
        response = act(personas.department_handler, number, "resolve", fmt="multipart", note="好了", photos=photos)
        assert_client_error(response, photos)
        assert response.status_code == 400
    assert Case.objects.get(number=number).status == "in_progress"
