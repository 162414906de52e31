"""Faults a street office will meet, met by a resident's report: a frozen Redis (cache, budgets
and broker), a database that restarted, a database that refuses connections."""

import time

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from rest_framework.test import APIClient

from linli.core.breaker import breaker
from linli.core.models import OutboxMessage

from .api_support import CASES, client_for, report_body


@pytest.mark.django_db
def test_with_redis_frozen_an_intake_answers_and_its_message_is_relayed_later(
    personas, categories, frozen_redis, redis_at, django_capture_on_commit_callbacks
):
    redis_at(frozen_redis)
    client = client_for(personas.resident)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(CASES, report_body(), format="json")
    first_seconds = time.monotonic() - started
    assert first.status_code == 201, first.content
    assert first_seconds < 3
    assert breaker("redis").is_open  # the next requests skip Redis instead of waiting for it
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(CASES, report_body(description="路灯不亮"), format="json")
    assert second.status_code == 201 and time.monotonic() - started < first_seconds
    waiting = OutboxMessage.objects.filter(sent_at__isnull=True)
    assert waiting.count() >= 2  # saved with the cases, not lost with the broker
    # Redis is back: the periodic relay (beat, or the command) delivers them.
    breaker("redis").reset()
    call_command("relay_outbox")
    assert not waiting.exists()


@pytest.mark.django_db
def test_with_only_the_broker_frozen_an_intake_answers_within_3_s(
    personas, categories, frozen_redis, broker, settings, django_capture_on_commit_callbacks
):
    broker(frozen_redis, broker_connection_timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT,
           broker_transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(personas.resident).post(CASES, report_body(), format="json")
    assert response.status_code == 201 and time.monotonic() - started < 3
    assert breaker("redis").is_open
    assert OutboxMessage.objects.filter(sent_at__isnull=True).exists()  # for the periodic relay


@pytest.mark.postgresql  # SQLite keeps no connection between requests
@pytest.mark.django_db
def test_a_connection_the_database_dropped_is_replaced_at_the_next_request():
    worker = connections.create_connection("default")  # a gunicorn worker's persistent connection
    assert worker.settings_dict["CONN_HEALTH_CHECKS"] and worker.settings_dict["CONN_MAX_AGE"] > 0
    try:
        worker.close_if_unusable_or_obsolete()  # a request starts
        with worker.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with connection.cursor() as cursor:  # the database restarts: the backend is gone
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        worker.close_if_unusable_or_obsolete()  # the next request starts
        with worker.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            assert cursor.fetchone()[0] != pid
    finally:
        worker.close()


@pytest.fixture
def database_refusing(django_db_blocker):
    """The database refuses connections (stopped, restarting) for the length of the test."""
    conn = connections["default"]
    saved = dict(conn.settings_dict)
    conn.close()
    conn.settings_dict.update(HOST="127.0.0.1", PORT="1")
    try:
        with django_db_blocker.unblock():
            yield
    finally:
        conn.close()
        conn.settings_dict.clear()
        conn.settings_dict.update(saved)


@pytest.mark.postgresql  # SQLite is a file: it does not refuse connections
def test_a_database_refusing_connections_answers_503_json_with_retry_after(database_refusing):
    from linli.accounts.models import User

    client = APIClient(raise_request_exception=False)
    client.force_authenticate(User(pk=10**9, phone="13800000999"))
    response = client.get(CASES, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 503, response.content.decode()
    assert response["Content-Type"].startswith("application/json") and int(response["Retry-After"]) > 0
    body = response.json()
    assert body["code"] == "service_unavailable" and "稍后" in body["message"]
    browser = Client(raise_request_exception=False)
    browser.cookies["sessionid"] = "a" * 32  # a signed-in resident: the session is read from the database
    page = browser.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 503 and "稍后" in page.content.decode() and page["Retry-After"]
