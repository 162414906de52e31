"""The outbox: written with the change, relayed after commit, never lost, never sent twice."""

import json
import os
import threading
import time
from datetime import timedelta

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from config.celery import app
from linli.core import outbox
from linli.core.models import Notification, OutboxMessage
from linli.core.outbox import emit, register, relay_pending
from linli.core.tasks import relay_outbox

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


class Recorder:
    """A handler that records what it got, and fails while told to."""

    def __init__(self):
        self.seen = []
        self.fail_with = None
        self.lock = threading.Lock()
        self.delay = 0

    def __call__(self, message):
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            self.seen.append((message.topic, message.payload))
        if self.fail_with:
            raise self.fail_with


@pytest.fixture
def recorder():
    handler = Recorder()
    register("test.", handler)
    yield handler
    outbox.unregister("test.", handler)


# -- emit ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_emit_writes_now_and_relays_only_after_commit(recorder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = emit("test.reported", {"case": "2026-000001"})
        emit("test.dispatched", {"case": "2026-000001"})
        emit("test.signed", {"case": "2026-000001"})
        assert recorder.seen == []
    assert len(callbacks) == 1  # one relay per transaction, however many messages
    assert OutboxMessage.objects.get(pk=message.pk).sent_at is None
    callbacks[0]()  # the commit: eager Celery runs the relay in process
    assert [topic for topic, _ in recorder.seen] == ["test.reported", "test.dispatched", "test.signed"]
    assert recorder.seen[0][1] == {"case": "2026-000001"}
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_every_committed_transaction_gets_its_relay(recorder, django_capture_on_commit_callbacks):
    for n in range(3):  # e.g. report, dispatch, sign: one request each
        with django_capture_on_commit_callbacks(execute=True):
            emit("test.x", {"n": n})
        assert len(recorder.seen) == n + 1


@pytest.mark.django_db
def test_a_rolled_back_transaction_emits_nothing(recorder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                emit("test.reported", {})
                raise RuntimeError("validation failed late")
        except RuntimeError:
            pass
    assert callbacks == [] and recorder.seen == []
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_handlers_are_chosen_by_topic_prefix(recorder):
    other = Recorder()
    register("test.case", other)
    try:
        emit("test.case.reported", {})
        emit("test.volunteer", {})
        emit("unrelated.topic", {})
        assert relay_pending() == 3  # a topic nobody handles is marked sent too
    finally:
        outbox.unregister("test.case", other)
    assert [t for t, _ in recorder.seen] == ["test.case.reported", "test.volunteer"]
    assert [t for t, _ in other.seen] == ["test.case.reported"]


@pytest.mark.django_db
def test_a_handler_may_emit_and_the_same_relay_delivers_that_too(recorder):
    def escalate(message):
        emit("test.escalated", {"from": message.topic})

    register("chain.", escalate)
    try:
        emit("chain.overdue", {})
        assert relay_pending() == 2
    finally:
        outbox.unregister("chain.", escalate)
    assert recorder.seen == [("test.escalated", {"from": "chain.overdue"})]


@pytest.mark.django_db
def test_register_twice_runs_once(recorder):
    register("test.", recorder)
    emit("test.x", {})
    relay_pending()
    assert len(recorder.seen) == 1


# -- failures ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_failing_handler_rolls_back_its_writes_and_is_retried_later(recorder, personas):
    def writes_then_fails(message):
        Notification.objects.create(user=personas.resident, topic="test", title="half done")
        raise RuntimeError("gateway timeout")

    register("test.bad", writes_then_fails)
    try:
        good = emit("test.good", {})
        bad = emit("test.bad", {})
        assert relay_pending() == 1
        bad.refresh_from_db()
        good.refresh_from_db()
        assert good.sent_at is not None
        assert bad.sent_at is None and bad.attempts == 1
        assert "gateway timeout" in bad.last_error
        assert bad.next_attempt_at > timezone.now()
        assert not Notification.objects.filter(title="half done").exists()
        # Not due yet: another relay leaves it alone.
        assert relay_pending() == 0
    finally:
        outbox.unregister("test.bad", writes_then_fails)
    # Time passes, the handler works again.
    OutboxMessage.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert relay_pending() == 1
    bad.refresh_from_db()
    assert bad.sent_at is not None and bad.attempts == 1


@pytest.mark.django_db
def test_one_failing_message_does_not_hold_up_the_others(recorder):
    def picky(message):
        if message.payload.get("bad"):
            raise ValueError("bad payload")

    register("picky.", picky)
    try:
        emit("picky.1", {})
        emit("picky.2", {"bad": True})
        emit("picky.3", {})
        assert relay_pending() == 2
    finally:
        outbox.unregister("picky.", picky)
    assert list(OutboxMessage.objects.filter(sent_at__isnull=True).values_list("topic", flat=True)) == ["picky.2"]


@pytest.mark.django_db
def test_gives_up_after_max_attempts_and_retry_sends_again(
    recorder, settings, caplog, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    recorder.fail_with = RuntimeError("down")
    message = emit("test.x", {})
    relay_pending()
    OutboxMessage.objects.update(next_attempt_at=None)
    with caplog.at_level("ERROR", logger="linli.core.outbox"):
        relay_pending()
    assert "gave up" in caplog.text
    message.refresh_from_db()
    assert message.attempts == 2 and message.sent_at is None
    OutboxMessage.objects.update(next_attempt_at=None)
    assert relay_pending() == 0  # given up: not tried again on its own
    assert outbox.pending_count() == 0

    recorder.fail_with = None
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.retry([message]) == 1
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 0


@pytest.mark.django_db
def test_backoff_grows_and_is_capped():
    assert [outbox._backoff(n).total_seconds() / 60 for n in (1, 2, 3, 7, 8, 20)] == [1, 2, 4, 60, 60, 60]


# -- Celery, the broker and the beat -------------------------------------------------------------


@pytest.mark.django_db
def test_the_task_relays(recorder):
    emit("test.x", {})
    relay_outbox.delay()  # eager without Redis
    assert len(recorder.seen) == 1


@pytest.mark.django_db
def test_broker_down_loses_nothing_and_does_not_fail_or_stall_the_request(
    recorder, broker, django_capture_on_commit_callbacks, caplog
):
    broker("redis://127.0.0.1:1/0", broker_connection_timeout=0.5)  # nothing listens on port 1
    started = time.monotonic()
    with caplog.at_level("WARNING", logger="linli.core.outbox"):
        with django_capture_on_commit_callbacks(execute=True):
            message = emit("test.reported", {"case": 1})
    assert time.monotonic() - started < 2
    assert "broker unreachable" in caplog.text
    message.refresh_from_db()
    assert message.sent_at is None and recorder.seen == []
    # Later the periodic relay (beat or `manage.py relay_outbox`) delivers it.
    call_command("relay_outbox")
    message.refresh_from_db()
    assert message.sent_at is not None and len(recorder.seen) == 1


@pytest.mark.django_db
def test_redis_down_as_broker_and_cache_does_not_fail_the_request(
    recorder, broker, settings, django_capture_on_commit_callbacks
):
    from linli.core.calendar import add_working_hours

    dead = "redis://127.0.0.1:1/0"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead}}
    broker(dead, broker_connection_timeout=0.5)
    with django_capture_on_commit_callbacks(execute=True):
        due = add_working_hours(timezone.now(), 8)  # what an intake computes
        message = emit("test.reported", {})
    assert due > timezone.now()
    message.refresh_from_db()
    assert message.sent_at is None
    assert relay_pending() == 1


@pytest.mark.django_db
def test_with_redis_the_relay_is_queued_for_a_worker(recorder, broker, django_capture_on_commit_callbacks):
    client = redis.Redis.from_url(REDIS_TEST_URL)
    client.delete("celery")
    broker(REDIS_TEST_URL)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            emit("test.x", {})
            emit("test.y", {})
        assert recorder.seen == []  # a worker relays, not this process
        assert client.llen("celery") == 1
        assert json.loads(client.lpop("celery"))["headers"]["task"] == "core.relay_outbox"
    finally:
        client.delete("celery")


@pytest.mark.django_db
def test_one_relay_task_waits_in_the_queue_at_most(recorder, broker, django_capture_on_commit_callbacks):
    client = redis.Redis.from_url(REDIS_TEST_URL)
    client.delete("celery")
    broker(REDIS_TEST_URL)
    try:
        for n in range(5):  # five intakes, each its own transaction
            with django_capture_on_commit_callbacks(execute=True) as callbacks:
                emit("test.x", {"n": n})
            assert len(callbacks) == 1
        assert client.llen("celery") == 1  # the queued relay will see all five
        relay_outbox.run()  # a worker starts it: the next kick queues a new one
        assert len(recorder.seen) == 5
        with django_capture_on_commit_callbacks(execute=True):
            emit("test.x", {"n": 5})
        assert client.llen("celery") == 2
    finally:
        client.delete("celery")


def test_beat_runs_the_relay_and_the_sla_sweep_every_minute():
    schedule = {entry["task"]: entry["schedule"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    every_minute = {"core.relay_outbox": 60.0, "cases.sweep_sla": 60.0, "webhooks.deliver": 60.0}
    assert {task: schedule.get(task) for task in every_minute} == every_minute  # other apps add slower jobs
    assert app.conf.beat_schedule == django_settings.CELERY_BEAT_SCHEDULE


@pytest.mark.django_db
def test_relay_outbox_command(recorder, capsys):
    emit("test.x", {})
    call_command("relay_outbox")
    assert len(recorder.seen) == 1
    assert "1" in capsys.readouterr().out


# -- concurrency ------------------------------------------------------------------------------


def in_own_connection(function):
    """Run `function` in a thread with its own database connection, in autocommit:
    what it writes is committed at once and visible to every other connection."""
    result, errors = [], []

    def run():
        try:
            result.append(function())
        except Exception as error:  # pragma: no cover — re-raised below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


# Not a transactional test: the flush after one would also empty the holiday calendar
# that the data migration shipped. The messages are committed from another connection
# instead, and removed again at the end.
@pytest.mark.postgresql  # SELECT … FOR UPDATE SKIP LOCKED
@pytest.mark.django_db
def test_concurrent_relays_deliver_each_message_exactly_once(recorder):
    ids = in_own_connection(
        lambda: [m.pk for m in OutboxMessage.objects.bulk_create(
            [OutboxMessage(topic="test.x", payload={"n": n}) for n in range(120)]
        )]
    )
    try:
        recorder.delay = 0.002
        barrier = threading.Barrier(4)
        counts, errors = [], []

        def run():
            try:
                barrier.wait()
                counts.append(relay_pending(limit=1000))
            except Exception as error:  # pragma: no cover — reported below
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        delivered = sorted(payload["n"] for _, payload in recorder.seen)
        assert delivered == list(range(120))  # every message, none twice
        assert sum(counts) == 120
        assert sum(1 for c in counts if c) > 1  # the relays really shared the work
        assert not OutboxMessage.objects.filter(pk__in=ids, sent_at__isnull=True).exists()
    finally:
        in_own_connection(lambda: OutboxMessage.objects.filter(pk__in=ids).delete())


# -- back office ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_lists_messages_read_only_and_retries_given_up_ones(
    client, django_user_model, recorder, settings, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    settings.OUTBOX_MAX_ATTEMPTS = 1
    admin_user = django_user_model.objects.create_superuser(phone="13700000000", password="admin-pass-123")
    client.force_login(admin_user)
    recorder.fail_with = RuntimeError("SMS gateway said no")
    failed = emit("test.x", {"n": 1})
    relay_pending()
    recorder.fail_with = None

    changelist = reverse("admin:core_outboxmessage_changelist")
    html = client.get(changelist, {"delivery": "given_up"}).content.decode()
    assert "SMS gateway said no" in html
    detail = client.get(reverse("admin:core_outboxmessage_change", args=[failed.pk]))
    assert detail.status_code == 200 and b'name="_save"' not in detail.content  # view only
    assert client.get(reverse("admin:core_outboxmessage_add")).status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(changelist, {"action": "retry", "_selected_action": [failed.pk]})
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.sent_at is not None  # relayed right after the action committed

