"""Background work runs after commit: in process without Redis, on the Redis broker with it."""

import json
import os

import pytest
import redis

from config.celery import app
from linli.accounts.sms import MemorySmsBackend
from linli.accounts.models import OneTimeCode
from linli.accounts.tasks import send_login_code_task
from linli.core.background import run_after_commit

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def memory_sms(settings):
    settings.SMS_BACKEND = "linli.accounts.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


def code_row(phone="13800000001"):
    from datetime import timedelta

    from django.utils import timezone

    return OneTimeCode.objects.create(phone=phone, code_hash="", expires_at=timezone.now() + timedelta(minutes=5))


@pytest.mark.django_db
def test_without_redis_the_task_runs_in_process_only_after_commit(memory_sms, django_capture_on_commit_callbacks):
    assert app.conf.task_always_eager
    row = code_row()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run_after_commit(send_login_code_task, row.pk)
        assert memory_sms == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1
    callbacks[0]()
    [(phone, key, params)] = memory_sms
    assert (phone, key, params["minutes"]) == ("13800000001", "login_code", "5")
    row.refresh_from_db()
    assert row.code_hash == OneTimeCode.hash(phone, params["code"])
    callbacks[0]()  # run twice (a redelivered message): the first code stands, nothing more is sent
    assert len(memory_sms) == 1


@pytest.mark.django_db
def test_a_failing_task_does_not_break_the_committed_request(settings, django_capture_on_commit_callbacks, caplog):
    settings.SMS_BACKEND = "linli.accounts.sms.SmsBackend"  # send() raises NotImplementedError
    row = code_row()
    with caplog.at_level("ERROR", logger="linli.sms"), django_capture_on_commit_callbacks(execute=True):
        run_after_commit(send_login_code_task, row.pk)
    # no exception reached the caller, and the failure is on record
    assert any("failed" in record.getMessage() and record.exc_info for record in caplog.records)


def _forget_broker_connections():
    # Eager calls already hold a producer pool for the memory:// broker; drop the
    # references so the next publish picks the pool for whatever broker_url says now.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.django_db
def test_with_redis_the_task_is_queued_on_the_broker(settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "linli.accounts.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    broker = redis.Redis.from_url(REDIS_TEST_URL)
    broker.delete("celery")
    saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    app.conf.update(broker_url=REDIS_TEST_URL, task_always_eager=False)
    _forget_broker_connections()
    try:
        row = code_row()
        with django_capture_on_commit_callbacks(execute=True):
            run_after_commit(send_login_code_task, row.pk)
        assert MemorySmsBackend.outbox == []  # a worker sends it, not this process
        assert broker.llen("celery") == 1
        message = json.loads(broker.lpop("celery"))
        assert message["headers"]["task"] == "accounts.send_login_code"
        # What the broker keeps is the row's id: no code, no phone number.
        assert message["headers"]["argsrepr"] == f"({row.pk},)" and "13800000001" not in json.dumps(message)
    finally:
        app.conf.update(saved)
        _forget_broker_connections()
        broker.delete("celery")
