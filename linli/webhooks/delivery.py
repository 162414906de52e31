"""Sending deliveries: outside any transaction, at most one runner per delivery.

deliver_due(limit) -> Run   (claims due deliveries, POSTs them, records each outcome)
kick_after_commit()         (queue the Celery task once the current transaction commits)

A run claims a small batch in a short transaction: it locks due rows (`SELECT … FOR UPDATE
SKIP LOCKED` on PostgreSQL, so a concurrent run skips them instead of waiting), marks them
"sending" with its own claim token and a lease, and commits. It then POSTs each one with no
transaction open, and records the outcome with a compare-and-set on its token. Another run
never sees a claimed row as due until the lease has expired (the run crashed), so a delivery
is sent twice only after a crash mid-send; receivers drop repeats by event id anyway.

A failure (non-2xx, timeout, refused address) is retried after 1, 2, 4 … minutes (at most
an hour), and given up after settings.WEBHOOKS_MAX_ATTEMPTS attempts.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import signing, transport
from .choices import DeliveryStatus
from .models import Webhook, WebhookDelivery

logger = logging.getLogger(__name__)

BATCH_SIZE = 10
MAX_ERROR_CHARS = 2000
USER_AGENT = "Linli-Webhooks/1.0"


def max_attempts() -> int:
    return int(getattr(settings, "WEBHOOKS_MAX_ATTEMPTS", 8))


def timeout_seconds() -> float:
    return float(getattr(settings, "WEBHOOKS_TIMEOUT_SECONDS", 5))


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after the n-th failed attempt, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def lease(batch_size: int) -> timedelta:
    """How long a claim holds: long enough for the whole batch to time out, with margin."""
    return timedelta(seconds=batch_size * (timeout_seconds() * 2 + 1) + 60)


@dataclass
class Run:
    succeeded: int = 0
    failed: int = 0
    given_up: int = 0
    event_ids: list[int] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.succeeded + self.failed + self.given_up


def due_q(now) -> Q:
    waiting = Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED], next_attempt_at__lte=now)
    abandoned = Q(status=DeliveryStatus.SENDING, claimed_until__lt=now)  # its run died mid-send
    return (waiting | abandoned) & Q(webhook__is_active=True)


def claim(limit: int = BATCH_SIZE) -> tuple[str, list[WebhookDelivery]]:
    """Mark up to `limit` due deliveries as being sent by this run; (token, deliveries)."""
    now = timezone.now()
    token = uuid.uuid4().hex
    skip_locked = connection.features.has_select_for_update_skip_locked
    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.filter(due_q(now))
            .select_for_update(skip_locked=skip_locked, of=("self",))
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return token, []
        # Compare-and-set on the due condition too: a database without row locks (SQLite
        # serializes writers) cannot hand one row to two runs either.
        WebhookDelivery.objects.filter(due_q(now), pk__in=ids).update(
            status=DeliveryStatus.SENDING, claim_token=token, claimed_until=now + lease(len(ids)),
            attempts=F("attempts") + 1,
        )
    claimed = WebhookDelivery.objects.filter(claim_token=token, status=DeliveryStatus.SENDING)
    return token, list(claimed.select_related("webhook").order_by("next_attempt_at", "id"))


def headers_for(delivery: WebhookDelivery, body: bytes, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Linli-Event": delivery.topic,
        "X-Linli-Delivery": str(delivery.event_id),
        "X-Linli-Timestamp": str(timestamp),
        "X-Linli-Signature": signing.signature(delivery.webhook.secret, timestamp, body),
    }


def send(delivery: WebhookDelivery) -> transport.Outcome:
    body = signing.body_of(delivery.payload)
    timestamp = int(time.time())  # real time: the receiver compares it with its own clock
    return transport.post(delivery.webhook.url, body, headers_for(delivery, body, timestamp), timeout_seconds())


def finish(delivery: WebhookDelivery, token: str, outcome: transport.Outcome) -> str:
    """Record one attempt's outcome (if the claim is still ours); the new status."""
    now = timezone.now()
    fields = {
        "claim_token": "",
        "claimed_until": None,
        "last_response_status": outcome.status,
        "last_response_body": outcome.body,
        "last_error": outcome.error[:MAX_ERROR_CHARS],
        "duration_ms": outcome.duration_ms,
    }
    if outcome.ok:
        status = DeliveryStatus.SUCCEEDED
        fields.update(delivered_at=now, next_attempt_at=None)
    elif delivery.attempts >= max_attempts() or not Webhook.objects.filter(pk=delivery.webhook_id, is_active=True).exists():
        status = DeliveryStatus.GIVEN_UP
        fields.update(next_attempt_at=None)
        logger.error(
            "Webhooks: gave up on event %s (%s) for webhook %s after %d attempts: %s",
            delivery.event_id, delivery.topic, delivery.webhook_id, delivery.attempts, outcome.error,
        )
    else:
        status = DeliveryStatus.FAILED
        fields.update(next_attempt_at=now + backoff(delivery.attempts))
        logger.warning(
            "Webhooks: event %s for webhook %s failed, attempt %d: %s",
            delivery.event_id, delivery.webhook_id, delivery.attempts, outcome.error,
        )
    updated = WebhookDelivery.objects.filter(
        pk=delivery.pk, claim_token=token, status=DeliveryStatus.SENDING
    ).update(status=status, **fields)
    if not updated:
        logger.warning("Webhooks: delivery %s was taken over by another run (lease expired).", delivery.pk)
    return status


def deliver_due(limit: int = 200) -> Run:
    """Send up to `limit` due deliveries, a batch at a time; call with no transaction open."""
    run = Run()
    while run.attempted < limit:
        token, batch = claim(min(BATCH_SIZE, limit - run.attempted))
        if not batch:
            break
        for delivery in batch:
            status = finish(delivery, token, send(delivery))
            run.event_ids.append(delivery.event_id)
            if status == DeliveryStatus.SUCCEEDED:
                run.succeeded += 1
            elif status == DeliveryStatus.GIVEN_UP:
                run.given_up += 1
            else:
                run.failed += 1
    return run


# -- kicking the task after commit --------------------------------------------------------------


class _Kick:
    """The Celery task as an on_commit callback (core.background.run_after_commit), once per
    transaction however many deliveries it queues."""

    __slots__ = ("done",)

    def __init__(self):
        self.done = False

    def __call__(self):
        from .tasks import deliver_webhooks

        self.done = True
        deliver_webhooks.delay()


def kick_after_commit() -> None:
    if any(isinstance(callback, _Kick) and not callback.done for _sids, callback, _robust in connection.run_on_commit):
        return
    # robust: a broker that is down is logged; the periodic task sends later.
    transaction.on_commit(_Kick(), robust=True)
