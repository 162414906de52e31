"""Running it for real: JSON logs with the request id, and the health endpoint."""

import io
import json
import logging

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def console():
    """What the configured console handler writes, one line per record."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.mark.urls("linli.core.tests.ops_urls")
def test_unhandled_error_without_debug_logs_one_json_line_with_request_id_and_traceback(console, settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = client.get("/ops-test/broken/", HTTP_X_REQUEST_ID="req-abc.123", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()  # the site's 500 page
    assert response["X-Request-ID"] == "req-abc.123"
    lines = [json.loads(line) for line in console.getvalue().splitlines() if line.strip()]
    errors = [line for line in lines if line["logger"] == "django.request"]
    assert len(errors) == 1, lines
    error = errors[0]
    assert error["level"] == "ERROR"
    assert error["request_id"] == "req-abc.123"
    assert "ZeroDivisionError: the view broke" in error["traceback"]
    assert "/ops-test/broken/" in error["message"]
    assert error["status_code"] == 500


def test_request_id_is_made_when_the_proxy_sends_none_or_a_bad_one(client):
    made = client.get("/healthz")["X-Request-ID"]
    assert len(made) == 32 and made.isalnum()
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="x\" injected\nline")["X-Request-ID"]
    assert forged != "x\" injected\nline" and len(forged) == 32


def test_log_records_outside_a_request_have_a_placeholder_id(console):
    logging.getLogger("linli.test").warning("hello %s", "world", extra={"case": 7})
    (line,) = [json.loads(line) for line in console.getvalue().splitlines()]
    assert line == {**line, "message": "hello world", "request_id": "-", "case": 7, "level": "WARNING"}


def test_healthz_is_liveness_the_database_only(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6390/0"  # Redis down does not take the node out
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_the_status_view_names_each_dependency_without_redis(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz/status")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["checks"]) == ("ok", {"database": "ok", "cache": "ok"})
    assert body["outbox"] == {"waiting": 0, "oldest_seconds": 0}


def test_the_status_view_with_the_broker_on_redis(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    response = client.get("/healthz/status")
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_the_status_view_says_degraded_when_redis_alone_fails(client, settings, caplog):
    settings.REDIS_URL = "redis://127.0.0.1:6390/0"  # nothing listens there
    response = client.get("/healthz/status")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "failed"}
    assert "6390" not in response.content.decode()  # the reason is logged, not shown
    assert any(record.getMessage() == "health check broker failed" for record in caplog.records)


def test_healthz_answers_a_probe_by_address_over_http_behind_the_production_settings(settings):
    settings.ALLOWED_HOSTS = ["linli.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    settings.REDIS_URL = ""
    response = Client(HTTP_HOST="10.0.0.5:8000").get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


SENTRY_PROBE = """
import json, sys
import django
django.setup()
state = {"imported": "sentry_sdk" in sys.modules}
if state["imported"]:
    import sentry_sdk
    client = sentry_sdk.get_client()
    state.update(dsn=client.dsn, pii=client.options["send_default_pii"], environment=client.options["environment"])
print(json.dumps(state))
"""


def run_settings_probe(code, **env):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings", SECRET_KEY="probe")
    return subprocess.run([sys.executable, "-c", code], cwd=root, env=clean, capture_output=True, text=True,
                          timeout=60)


def test_sentry_is_not_even_imported_without_a_dsn():
    result = run_settings_probe(SENTRY_PROBE)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"imported": False}


def test_sentry_reports_without_personal_data_when_a_dsn_is_set():
    dsn = "https://public@sentry.example.gov.cn/2"
    result = run_settings_probe(SENTRY_PROBE, SENTRY_DSN=dsn, SENTRY_ENVIRONMENT="staging")
    try:
        import sentry_sdk  # noqa: F401
    except ImportError:  # the extra is not installed: a clear message, not a bare ImportError
        assert result.returncode != 0 and "pip install 'linli[sentry]'" in result.stderr
        return
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"imported": True, "dsn": dsn, "pii": False, "environment": "staging"}
