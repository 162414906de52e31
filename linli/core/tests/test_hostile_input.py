"""Hostile input answers 4xx, never 500: JSON nested past the recursion limit, NUL in a query
parameter (PostgreSQL cannot hold it), coordinates in digits other than ASCII."""

import pytest
from rest_framework.test import APIClient

from linli.accounts.actions import do_issue_token
from linli.cases.testing import center_of

NESTED = "[" * 5000

JSON_ENDPOINTS = [
    ("/api/cases/", "resident"),
    ("/api/service-orders/orders/", "resident"),
    ("/api/v1/auth/login/", None),
    ("/api/points/adjustments/", "system_admin"),
    ("/api/volunteering/volunteers/register/", "resident"),
]


def api_client(user=None):
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {do_issue_token(user)}")
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "persona"), JSON_ENDPOINTS)
def test_json_nested_past_the_recursion_limit_is_a_parse_error(personas, path, persona):
    client = api_client(getattr(personas, persona) if persona else None)
    for body in (NESTED, "{\"a\": " * 5000):
        response = client.post(path, body, content_type="application/json")
        assert response.status_code == 400, (path, response.content[:200])
        assert response.json()["code"] == "parse_error"


@pytest.mark.django_db
def test_a_geojson_import_nested_past_the_recursion_limit_is_a_file_error():
    from linli.places.importer import ImportFileError, read_rows

    with pytest.raises(ImportFileError):
        read_rows(NESTED)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["area=%00x", "search=a%00", "page=1%00", "%00=1", "area=x&area=%00"])
def test_nul_in_a_query_parameter_is_a_json_400_under_the_api(personas, query):
    response = api_client(personas.resident).get(f"/api/service-orders/offerings/?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    named = query.split("=")[0] if not query.startswith("%00") else "non_field_errors"
    assert list(response.json()["fields"]) == [named]


@pytest.mark.django_db
def test_nul_in_a_query_parameter_is_an_open311_error_list():
    response = APIClient().get("/open311/v2/services.xml?jurisdiction_id=%00x")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/xml") or response["Content-Type"].startswith("application/xml")
    assert b"<errors>" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/service-orders/menu/area/", "/cases/queue/", "/orgs/", "/accounts/login/"])
def test_nul_in_a_query_parameter_is_a_friendly_400_page(client, personas, path):
    client.force_login(personas.street_dispatcher)
    response = client.get(f"{path}?area=%00x&q=%00")
    assert response.status_code == 400
    assert b'data-testid="error-400"' in response.content


ARABIC_INDIC = "٢٤.٤٧"  # 24.47


@pytest.mark.django_db
def test_locate_takes_ascii_digits_only(personas, tree):
    client = api_client(personas.resident)
    lat, lng = center_of(tree.grid_a1)
    assert client.get("/api/v1/locate/", {"lat": lat, "lng": lng}).status_code == 200
    for bad in (ARABIC_INDIC, "２４.４７", "nan", "1e1", "24.47\u0660"):
        response = client.get("/api/v1/locate/", {"lat": bad, "lng": lng})
        assert response.status_code == 400, bad
        assert "lat" in response.json()["fields"]


@pytest.mark.django_db
def test_a_case_filed_over_the_api_takes_ascii_digits_only(personas, tree):
    lat, lng = center_of(tree.grid_a1)
    body = {"category": "public-facilities", "description": "路灯不亮", "lat": ARABIC_INDIC, "lng": str(lng)}
    response = api_client(personas.resident).post("/api/cases/", body, format="json")
    assert response.status_code == 400
    assert "lat" in response.json()["fields"]
    huge = '{"category": "public-facilities", "description": "路灯不亮", "lat": 1%s, "lng": 118}' % ("0" * 400)
    response = api_client(personas.resident).post("/api/cases/", huge, content_type="application/json")
    assert response.status_code == 400
    assert "lat" in response.json()["fields"]


def test_the_coordinate_parser():
    from linli.core.ids import LATITUDE, parse_coordinate, parse_point

    assert parse_point("24.47", " 118.1 ") == (24.47, 118.1)
    assert parse_point(24.47, 118) == (24.47, 118.0)
    assert parse_point("-.5", "+0.") == (-0.5, 0.0)
    for bad in (ARABIC_INDIC, "²4", "inf", "nan", "1e1", "", " ", None, True, "0x10", "1_0", float("nan")):
        assert parse_coordinate(bad, LATITUDE) is None, bad
    assert parse_coordinate("90.000001", LATITUDE) is None
    assert parse_point("24", ARABIC_INDIC) is None


def test_the_report_forms_coordinate_fields_take_ascii_digits_only():
    from django import forms

    from linli.cases.forms import ReportForm

    field = ReportForm.base_fields["lat"]
    assert field.clean("24.47") == 24.47
    assert field.clean("") is None
    for bad in (ARABIC_INDIC, "nan", "1e1"):
        with pytest.raises(forms.ValidationError):
            field.clean(bad)


def test_a_venue_position_takes_ascii_digits_only():
    from linli.volunteering.actions import VolunteeringError, _position

    assert _position("24.47", "118.1", "", "position")[:2] == (24.47, 118.1)
    with pytest.raises(VolunteeringError):
        _position(ARABIC_INDIC, "118.1", "", "position")


@pytest.mark.django_db
def test_a_check_in_scan_takes_ascii_digits_only(personas):
    body = {"token": "anything", "lat": ARABIC_INDIC, "lng": "118.1"}
    response = api_client(personas.resident).post("/api/volunteering/scan/", body, format="json")
    assert response.status_code == 400
    assert "lat" in response.json()["fields"]
