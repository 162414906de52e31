"""The outbox handler: for each case event, one WebhookDelivery per active webhook of an
organization that may see the case (linli.webhooks.visibility) and wants the topic.

Registered for the "case." prefix in WebhooksConfig.ready(). It runs inside the relay's
transaction and only writes rows (the unique (webhook, event id) constraint makes a second
run of the same message a no-op); the POSTs happen after commit (linli.webhooks.delivery).
The payload is fixed here, so every attempt sends the same body.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from linli.cases.models import Case
from linli.cases.notifications import case_url
from linli.core import outbox
from linli.core.models import OutboxMessage

from .choices import TOPIC_PREFIX
from .models import Webhook, WebhookDelivery
from .visibility import facts_of_message, organizations_seeing_q


def _iso(value):
    """ISO 8601 in local time (Asia/Shanghai: "+08:00"), as people read the times."""
    return timezone.localtime(value).isoformat() if value else None


def case_snapshot(case: Case) -> dict:
    """What a receiver learns about a case: never the reporter, the description or the position."""
    return {
        "number": case.number,
        "status": case.status,
        "category": case.category.code,
        "area": case.area_code or None,
        "unit": {"id": case.unit_id, "name": case.unit.name} if case.unit_id else None,
        "accept_due": _iso(case.accept_due),
        "resolve_due": _iso(case.resolve_due),
        "sla_state": case.sla_state,
        "url": f"{settings.SITE_URL}{case_url(case.number)}",
    }


def event_payload(message: OutboxMessage, case: Case) -> dict:
    data = message.payload or {}
    return {
        "id": message.pk,
        "topic": message.topic,
        "created_at": _iso(message.created_at),
        "change": {
            "action": data.get("action", ""),
            "from_status": data.get("from", ""),
            "to_status": data.get("to", ""),
        },
        "case": case_snapshot(case),
    }


def _any_active() -> bool:
    """Whether any webhook is switched on, asked once per relay batch: a deployment without
    webhooks (or an import of 100,000 work orders) pays nothing per event."""
    memo = outbox.batch_memo()
    if "webhooks.any_active" not in memo:
        memo["webhooks.any_active"] = Webhook.objects.filter(is_active=True).exists()
    return memo["webhooks.any_active"]


def queue_deliveries(message: OutboxMessage) -> int:
    """Write the deliveries of one case event; the number of webhooks it goes to.
    No query when no webhook is active (one per relay batch to know it), one when none of
    the active ones wants the event, four when some do."""
    data = message.payload or {}
    case_id = data.get("case_id")
    if not case_id or not _any_active():
        return 0
    facts = facts_of_message(data)
    webhooks = [
        webhook
        for webhook in Webhook.objects.filter(organizations_seeing_q(facts, case_id=case_id), is_active=True).only(
            "id", "topics"
        )
        if webhook.wants(message.topic)
    ]
    if not webhooks:
        return 0
    case = Case.objects.select_related("category", "unit").filter(pk=case_id).first()
    if case is None:
        return 0
    payload = event_payload(message, case)
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(webhook=webhook, event_id=message.pk, topic=message.topic, payload=payload, next_attempt_at=now)
            for webhook in webhooks
        ],
        ignore_conflicts=True,
    )
    from .delivery import kick_after_commit

    kick_after_commit()
    return len(webhooks)


def handle_case_message(message: OutboxMessage) -> None:
    queue_deliveries(message)


def register() -> None:
    outbox.register(TOPIC_PREFIX, handle_case_message)
