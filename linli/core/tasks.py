"""Celery tasks of the core engines (beat schedule: settings.CELERY_BEAT_SCHEDULE)."""

import time

from celery import shared_task
from django.core.cache import cache

from . import outbox

# One run keeps relaying while full batches come back, for at most this long,
# so a backlog drains without waiting a minute per `limit` messages.
RELAY_BUDGET_SECONDS = 45


@shared_task(name="core.relay_outbox", ignore_result=True)
def relay_outbox(limit=200):
    # First thing: a kick from now on queues a new task (this run may not see its message).
    try:
        cache.delete(outbox.KICK_KEY)
    except Exception:  # noqa: BLE001 — Redis is the broker too; the key expires anyway
        pass
    started = time.monotonic()
    total = 0
    while True:
        delivered = outbox.relay_pending(limit)
        total += delivered
        if delivered < limit or time.monotonic() - started > RELAY_BUDGET_SECONDS:
            return total


@shared_task(name="core.purge_idempotency_keys", ignore_result=True)
def purge_idempotency_keys():
    """Forget Idempotency-Key answers older than core.idempotency.KEEP_HOURS."""
    from .idempotency import purge

    return purge()


@shared_task(name="core.remove_stale_uploads", ignore_result=True)
def remove_stale_uploads():
    """Unfinished resumable uploads untouched for core.uploads.EXPIRE_AFTER, and their bytes."""
    from .uploads import do_remove_stale

    return do_remove_stale()
