"""Celery tasks of webhooks (beat schedule: settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import delivery


@shared_task(name="webhooks.deliver", ignore_result=True)
def deliver_webhooks(limit=200):
    """Send due webhook deliveries (after a commit that queued some, and every minute)."""
    run = delivery.deliver_due(limit)
    return {"succeeded": run.succeeded, "failed": run.failed, "given_up": run.given_up}
