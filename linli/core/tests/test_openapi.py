"""The whole OpenAPI schema generates like `manage.py spectacular --validate --fail-on-warn`: no errors or warnings."""

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.management.commands.spectacular import SchemaGenerationError


@pytest.fixture
def schema(db, tmp_path, capsys):
    # The command counts what earlier generations in this process left behind; start clean.
    GENERATOR_STATS.reset()
    target = tmp_path / "schema.yaml"
    try:
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    except SchemaGenerationError:
        pytest.fail("schema generation reported problems:\n" + capsys.readouterr().err)
    finally:
        GENERATOR_STATS.reset()
    return yaml.safe_load(target.read_text(encoding="utf-8"))


def _query_params(operation):
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}


def test_the_schema_generates_valid_without_errors_or_warnings(schema):
    assert schema["openapi"].startswith("3.")
    for route in ("/api/v1/locate/", "/api/v1/me/", "/api/v1/coverage/", "/api/cases/"):
        assert route in schema["paths"], route


def test_views_without_serializer_class_are_described(schema):
    paths = schema["paths"]
    assert _query_params(paths["/api/v1/locate/"]["get"]) == {"lat", "lng", "coord_system"}
    coverage_params = {"area", "kind", "level", "within", "host_kind", "new_sector"}
    assert _query_params(paths["/api/v1/coverage/"]["get"]) == coverage_params
    for route, method, status in [
        ("/api/v1/locate/", "get", "200"),
        ("/api/v1/coverage/", "get", "200"),
        ("/api/v1/me/", "get", "200"),
        ("/api/v1/auth/code/", "post", "202"),
        ("/api/v1/auth/login/", "post", "200"),
    ]:
        body = paths[route][method]["responses"][status]["content"]["application/json"]["schema"]
        assert body.get("$ref"), (route, body)
    assert "204" in paths["/api/v1/auth/logout/"]["post"]["responses"]
    assert "Retry-After" in paths["/api/v1/auth/code/"]["post"]["responses"]["429"]["headers"]
    coverage = schema["components"]["schemas"]["Coverage"]
    assert {item["$ref"].rsplit("/", 1)[1] for item in coverage["oneOf"]} == {"CoverageByLevel", "CoverageByHost"}


def test_error_bodies_are_code_message_and_fields(schema):
    error = schema["components"]["schemas"]["ApiError"]
    assert set(error["properties"]) == {"code", "message", "fields"}
    assert set(error["required"]) == {"code", "message"}
    for route, method, status in [
        ("/api/v1/locate/", "get", "400"),
        ("/api/v1/coverage/", "get", "404"),
        ("/api/v1/me/", "get", "401"),
        ("/api/v1/auth/login/", "post", "403"),
    ]:
        body = schema["paths"][route][method]["responses"][status]["content"]["application/json"]["schema"]
        assert body["$ref"].endswith("/ApiError"), (route, status)
