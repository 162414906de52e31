"""The OpenAPI schema and its docs pages: valid, complete for cases, served without a CDN."""

import re

import yaml
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from config.api_urls import root_urlpatterns

CASE_PATHS = {
    "/api/cases/": {"get", "post"},
    "/api/cases/{number}/": {"get"},
    "/api/cases/{number}/actions/": {"post"},
    "/api/cases/{number}/follow/": {"post"},
    "/api/cases/duplicates/": {"get"},
    "/api/categories/": {"get"},
    "/api/ledger/": {"get"},
}


def test_the_schema_is_valid_openapi_and_describes_the_cases_api(db):
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json() if "json" in response["Content-Type"] else yaml.safe_load(response.content)
    validate_schema(schema)
    assert schema["info"]["title"] == "Linli API"
    for route, methods in CASE_PATHS.items():
        assert route in schema["paths"], route
        assert set(schema["paths"][route]) >= methods, route
    assert "/api/v1/areas/" in schema["paths"]  # the other apps stay on /api/v1/
    create = schema["paths"]["/api/cases/"]["post"]["requestBody"]["content"]
    assert set(create) >= {"application/json", "multipart/form-data"}
    upload = schema["components"]["schemas"]["ReportRequest"]["properties"]["photos"]
    assert upload["items"]["format"] == "binary"
    conflict = schema["paths"]["/api/cases/{number}/actions/"]["post"]["responses"]["409"]
    assert conflict["content"]["application/json"]["schema"]["$ref"].endswith("/ActionNotAllowed")
    list_params = {p["name"] for p in schema["paths"]["/api/cases/"]["get"]["parameters"]}
    assert {"cursor", "page_size"} <= list_params
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_the_cases_endpoints_generate_without_warnings(db):
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        SchemaGenerator(patterns=[path("api/", include(root_urlpatterns))]).get_schema(request=None, public=True)
    problems = list(GENERATOR_STATS._warn_cache) + list(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    assert problems == []


def test_the_whole_schema_has_no_warnings_about_cases(db):
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        SchemaGenerator().get_schema(request=None, public=True)
    problems = [m for m in [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache] if re.search(r"cases|Case", m)]
    GENERATOR_STATS.reset()
    assert problems == []


def test_the_docs_page_renders_from_local_static_files(db):
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert references, html[:500]
    for reference in references:
        assert reference.startswith("/"), reference
        assert not reference.startswith("//"), reference
    assert "/static/drf_spectacular_sidecar/" in html
    # Nothing fetched from another host, also not from the inline script.
    assert not re.search(r"https?://(?!localhost|testserver)", html.replace("http://www.w3.org", ""))
    assert "/api/schema/" in html
