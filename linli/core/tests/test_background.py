"""Background work runs after commit: in process without Redis, on the Redis broker with it."""

import json
import os

import pytest
import redis

from config.celery import app
from linli.accounts.sms import MemorySmsBackend
from linli.accounts.tasks import send_sms_task
from linli.core.background import run_after_commit

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def memory_sms(settings):
    settings.SMS_BACKEND = "linli.accounts.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


@pytest.mark.django_db
def test_without_redis_the_task_runs_in_process_only_after_commit(memory_sms, django_capture_on_commit_callbacks):
    assert app.conf.task_always_eager
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run_after_commit(send_sms_task, "13800000001", "login_code", {"code": "123456", "minutes": 5})
        assert memory_sms == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1
    callbacks[0]()
    assert memory_sms == [("13800000001", "login_code", {"code": "123456", "minutes": "5"})]


@pytest.mark.django_db
def test_a_failing_task_does_not_break_the_committed_request(settings, django_capture_on_commit_callbacks, caplog):
    settings.SMS_BACKEND = "linli.accounts.sms.SmsBackend"  # send() raises NotImplementedError
    with caplog.at_level("ERROR", logger="linli.sms"), django_capture_on_commit_callbacks(execute=True):
        run_after_commit(send_sms_task, "13800000001", "login_code", {"code": "1", "minutes": 5})
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
        with django_capture_on_commit_callbacks(execute=True):
            run_after_commit(send_sms_task, "13800000001", "login_code", {"code": "654321", "minutes": 5})
        assert MemorySmsBackend.outbox == []  # a worker sends it, not this process
        assert broker.llen("celery") == 1
        message = json.loads(broker.lpop("celery"))
        assert message["headers"]["task"] == "accounts.send_sms"
    finally:
        app.conf.update(saved)
        _forget_broker_connections()
        broker.delete("celery")
