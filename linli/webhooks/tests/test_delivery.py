"""Case events reach the webhooks of the organizations that may see them, signed, outside any
transaction, retried with back-off, never sent twice by two runs, never to the wrong party."""

import json
import threading
from datetime import datetime, timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from config.celery import app
from linli.core import outbox
from linli.core.models import OutboxMessage
from linli.webhooks import delivery as delivery_module
from linli.webhooks.actions import check_deactivate_webhook
from linli.webhooks.choices import DeliveryStatus
from linli.webhooks.delivery import claim, deliver_due
from linli.webhooks.handlers import queue_deliveries
from linli.webhooks.models import WebhookDelivery
from linli.webhooks.signing import signature

pytestmark = pytest.mark.django_db


def relay():
    """The outbox relay (it runs after commit in production; tests run in one transaction)."""
    return outbox.relay_pending()


# -- what arrives ---------------------------------------------------------------------------------


def test_a_dispatched_case_reaches_the_unit_signed_and_without_personal_data(
    receiver, register, org_admins, personas, case_at, settings
):
    settings.SITE_URL = "https://linli.example.org"
    webhook = register(org_admins.department_admin, personas.department, topics=["case.dispatch"])
    case = case_at("dispatched", reporter_name="张三", reporter_phone="13912345678")
    relay()
    run = deliver_due()
    assert (run.succeeded, run.failed) == (1, 0)

    [request] = receiver.requests
    assert request.signature_ok and request.path == "/linli/events"
    headers = request.headers
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Linli-Event"] == "case.dispatch"
    message = OutboxMessage.objects.get(topic="case.dispatch")
    assert headers["X-Linli-Delivery"] == str(message.pk)
    expected = signature(webhook.secret, headers["X-Linli-Timestamp"], request.body)
    assert headers["X-Linli-Signature"] == expected and expected.startswith("sha256=")

    body = request.json()
    assert body["id"] == message.pk and body["topic"] == "case.dispatch"
    assert datetime.fromisoformat(body["created_at"]) == message.created_at and body["created_at"].endswith("+08:00")
    assert body["change"] == {"action": "dispatch", "from_status": "accepted", "to_status": "dispatched"}
    assert body["case"] == {
        "number": case.number,
        "status": "dispatched",
        "category": "public-facilities",
        "area": case.area_code,
        "unit": {"id": personas.department.pk, "name": "市政园林局"},
        "accept_due": body["case"]["accept_due"],
        "resolve_due": timezone.localtime(case.resolve_due).isoformat(),
        "sla_state": "on_track",
        "url": f"https://linli.example.org/cases/{case.number}/",
    }
    text = request.body.decode()
    for personal in ("13912345678", "张三", "居民甲", case.description, "reporter", "actor", "lat", "lng"):
        assert personal not in text

    sent = WebhookDelivery.objects.get()
    assert sent.status == DeliveryStatus.SUCCEEDED and sent.attempts == 1 and sent.delivered_at is not None
    assert sent.last_response_status == 200 and sent.last_response_body == "ok" and sent.duration_ms is not None


def test_a_receiver_failing_twice_gets_the_same_event_three_times_and_processes_it_once(
    receiver, register, org_admins, personas, case_at, clock
):
    register(org_admins.department_admin, personas.department, topics=["case.dispatch"])
    case_at("dispatched")
    relay()
    receiver.script = [500, 500]

    assert deliver_due().failed == 1
    first = WebhookDelivery.objects.get()
    assert first.status == DeliveryStatus.FAILED and first.last_response_status == 500
    assert first.next_attempt_at == clock.now + timedelta(minutes=1)
    assert first.last_response_body == "receiver says no" and first.last_error == "HTTP 500"

    assert deliver_due().attempted == 0  # not due yet: nothing sent
    clock.advance(61)
    assert deliver_due().failed == 1
    assert WebhookDelivery.objects.get().next_attempt_at == clock.now + timedelta(minutes=2)
    clock.advance(60)
    assert deliver_due().attempted == 0
    clock.advance(61)
    assert deliver_due().succeeded == 1

    delivered = WebhookDelivery.objects.get()  # exactly one delivery recorded
    assert delivered.status == DeliveryStatus.SUCCEEDED and delivered.attempts == 3
    assert delivered.last_error == "" and delivered.last_response_status == 200
    ids = receiver.seen_ids()
    assert len(ids) == 3 and len(set(ids)) == 1
    assert receiver.processed == [ids[0]]
    assert all(request.signature_ok for request in receiver.requests)
    clock.advance(3600)
    assert deliver_due().attempted == 0  # and never again


def test_after_the_last_attempt_a_delivery_is_given_up(receiver, register, org_admins, personas, case_at, clock, settings):
    settings.WEBHOOKS_MAX_ATTEMPTS = 2
    register(org_admins.department_admin, personas.department, topics=["case.dispatch"])
    case_at("dispatched")
    relay()
    receiver.script = [503, 503, 503]
    deliver_due()
    clock.advance(61)
    assert deliver_due().given_up == 1
    given_up = WebhookDelivery.objects.get()
    assert given_up.status == DeliveryStatus.GIVEN_UP and given_up.next_attempt_at is None
    clock.advance(3600)
    assert deliver_due().attempted == 0 and len(receiver.requests) == 2


def test_an_organization_that_may_not_see_the_case_gets_nothing(receiver, register, org_admins, personas, case_at):
    register(org_admins.street_b_admin, org_admins.street_b_org)  # all topics, street B
    register(personas.org_admin, personas.federation)  # serves street A: sees it
    case_at("in_progress")
    relay()
    deliver_due()
    webhooks = set(WebhookDelivery.objects.values_list("webhook__organization__name", flat=True))
    assert webhooks == {"开元街道妇联"}
    topics = list(WebhookDelivery.objects.order_by("event_id").values_list("topic", flat=True))
    assert topics == ["case.reported", "case.accept", "case.dispatch", "case.sign"]
    assert len(receiver.requests) == 4


def test_an_inactive_webhook_gets_nothing_and_its_waiting_deliveries_are_given_up(
    receiver, register, org_admins, personas, case_at
):
    webhook = register(org_admins.department_admin, personas.department)
    case_at("dispatched")
    relay()
    check_deactivate_webhook(org_admins.department_admin, webhook)
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.GIVEN_UP}
    case_at("dispatched")
    relay()
    assert deliver_due().attempted == 0
    assert receiver.requests == []
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).count() == 0


def test_topics_filter_what_is_queued(receiver, register, org_admins, personas, case_at):
    register(org_admins.department_admin, personas.department, topics=["case.resolve"])
    case_at("resolved")
    relay()
    assert list(WebhookDelivery.objects.values_list("topic", flat=True)) == ["case.resolve"]


def test_the_same_event_relayed_twice_is_queued_once(receiver, register, org_admins, personas, case_at):
    register(org_admins.department_admin, personas.department)
    case_at("dispatched")
    message = OutboxMessage.objects.get(topic="case.dispatch")
    assert queue_deliveries(message) == 1
    assert queue_deliveries(message) == 1
    assert WebhookDelivery.objects.filter(event_id=message.pk).count() == 1


def test_the_handler_costs_one_query_per_event_nobody_wants(personas, case_at, django_assert_num_queries):
    case_at("reported")
    message = OutboxMessage.objects.get(topic="case.reported")
    with django_assert_num_queries(1):
        assert queue_deliveries(message) == 0


def test_deliveries_are_queued_in_the_relay_and_sent_after_commit(
    receiver, register, org_admins, personas, case_at, django_capture_on_commit_callbacks
):
    register(org_admins.department_admin, personas.department, topics=["case.dispatch"])
    case_at("dispatched")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        relay()
    assert receiver.requests == []  # nothing leaves inside the relay's transaction
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING
    kicks = [cb for cb in callbacks if isinstance(cb, delivery_module._Kick)]
    assert len(kicks) == 1  # one task per transaction
    kicks[0]()  # the commit: eager Celery sends now
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().status == DeliveryStatus.SUCCEEDED


# -- failures on the wire -----------------------------------------------------------------------


def test_a_slow_receiver_is_a_timeout_failure(receiver, register, org_admins, personas, case_at, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.3
    receiver.delay = 1.0
    register(org_admins.department_admin, personas.department, topics=["case.dispatch"])
    case_at("dispatched")
    relay()
    assert deliver_due().failed == 1
    failed = WebhookDelivery.objects.get()
    assert "timed out" in failed.last_error and failed.last_response_status is None
    assert failed.duration_ms < 1000


def test_redirects_are_not_followed(receiver, register, org_admins, personas, case_at):
    receiver.script = [(302, "http://other.example.org/steal")]
    register(org_admins.department_admin, personas.department, topics=["case.dispatch"])
    case_at("dispatched")
    relay()
    assert deliver_due().failed == 1
    failed = WebhookDelivery.objects.get()
    assert failed.last_response_status == 302 and "redirect" in failed.last_error
    assert len(receiver.requests) == 1


def test_a_private_address_is_refused_on_the_wire_in_production(
    receiver, register, org_admins, personas, case_at, settings
):
    register(org_admins.department_admin, personas.department, topics=["case.dispatch"])
    case_at("dispatched")
    relay()
    settings.WEBHOOKS_ALLOW_PRIVATE = False  # e.g. the name now resolves to a private address
    assert deliver_due().failed == 1
    assert "non-public" in WebhookDelivery.objects.get().last_error
    assert receiver.requests == []


def test_an_unreachable_receiver_is_a_failure(register, org_admins, personas, case_at):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    register(org_admins.department_admin, personas.department, url=f"http://127.0.0.1:{port}/x", topics=["case.dispatch"])
    case_at("dispatched")
    relay()
    assert deliver_due().failed == 1
    assert "Connection" in WebhookDelivery.objects.get().last_error


# -- one runner per delivery ----------------------------------------------------------------------


def test_a_claimed_delivery_is_not_due_for_another_run_until_its_lease_expires(
    receiver, register, org_admins, personas, case_at, clock
):
    register(org_admins.department_admin, personas.department, topics=["case.dispatch"])
    case_at("dispatched")
    relay()
    token, claimed = claim()
    assert len(claimed) == 1 and claimed[0].status == DeliveryStatus.SENDING
    assert claim()[1] == []  # a second run meanwhile finds nothing to send
    assert deliver_due().attempted == 0 and receiver.requests == []
    clock.advance(delivery_module.lease(1).total_seconds() + 1)  # the first run died mid-send
    assert deliver_due().succeeded == 1
    # the dead run's late report changes nothing
    assert delivery_module.finish(claimed[0], token, delivery_module.transport.Outcome(False, error="late")) == "failed"
    assert WebhookDelivery.objects.get().status == DeliveryStatus.SUCCEEDED


@pytest.fixture
def queued_not_run():
    """Celery not eager (memory broker): after-commit kicks queue tasks nobody runs, so the
    test decides when the relay and the deliveries run."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url="memory://", task_always_eager=False)
    app._pool = None
    app.amqp._producer_pool = None
    yield
    app.conf.update(saved)
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_runs_racing_send_each_event_once(queued_not_run, receiver, register, org_admins, personas, case_at, monkeypatch):
    monkeypatch.setattr(delivery_module, "BATCH_SIZE", 1)  # claim one at a time: the runs interleave
    receiver.delay = 0.05
    register(org_admins.department_admin, personas.department)
    for _ in range(3):
        case_at("dispatched")
    relay()
    queued = WebhookDelivery.objects.count()
    assert queued == 9  # 3 cases × (reported, accept, dispatch)

    start = threading.Barrier(2)
    runs = []

    def run():
        try:
            start.wait()
            runs.append(deliver_due())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(r.succeeded for r in runs) == queued
    ids = receiver.seen_ids()
    assert len(ids) == queued and len(set(ids)) == queued  # nothing sent twice
    assert sorted(set(runs[0].event_ids) | set(runs[1].event_ids)) == sorted(int(i) for i in ids)
    assert not set(runs[0].event_ids) & set(runs[1].event_ids)
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SUCCEEDED}
    assert json.loads(receiver.requests[0].body)["id"] == int(ids[0])
