"""The outbox: events leave the process only after the change they report commits.

emit(topic: str, payload: dict) -> OutboxMessage      (emit_many([(topic, payload), ...]) for a batch)
    Inside the caller's transaction: writes the message; after commit asks the relay to run
    (Celery task when REDIS_URL is set, in process otherwise). A broker that is down loses
    nothing: the message stays unsent and the periodic relay (`manage.py relay_outbox`, beat
    every minute) delivers it later.
register(topic_prefix: str, handler: Callable[[OutboxMessage], None])
    Handlers run by the relay for messages whose topic starts with the prefix.
relay_pending(limit=200) -> int   (delivers unsent messages; safe to run concurrently)
current_batch(), batch_memo()     (for handlers: the batch being relayed, a dict living as long)
retry(messages) -> int            (given-up or failing messages: try again now)

Delivery: the relay locks a batch of due messages (`SELECT … FOR UPDATE SKIP LOCKED` on
PostgreSQL; SQLite serializes writers anyway), runs every matching handler for each in a
savepoint, and marks it sent in the same transaction. So what a handler writes to the
database (e.g. Notification rows) commits exactly once with the "sent" mark; what it
sends outside (SMS, email) should wait for that commit (`transaction.on_commit`, as
`linli.core.notify` does). A handler that raises rolls back its own writes; the message
is tried again after a growing pause, and given up after settings.OUTBOX_MAX_ATTEMPTS.
A message whose topic no handler wants is marked sent.

Without Redis there is no beat: every emit's relay also retries due failed messages,
and `manage.py relay_outbox --loop` can stand in for beat.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from .breaker import breaker
from .models import OutboxMessage

logger = logging.getLogger(__name__)

Handler = Callable[[OutboxMessage], None]

_handlers: list[tuple[str, Handler]] = []
_state = threading.local()  # .relaying: emits from handlers need no extra kick

BATCH_SIZE = 50
MAX_ERROR_CHARS = 4000
# Set while a relay task is queued but not started (see kick_relay); expires in case
# the task is lost, so a later kick queues another.
KICK_KEY = "linli:core:outbox:kick"
KICK_SECONDS = 10


# -- handlers ---------------------------------------------------------------------------------


def register(topic_prefix: str, handler: Handler) -> None:
    """Run `handler(message)` for every message whose topic starts with `topic_prefix`.

    Idempotent (registering the same pair twice keeps one), so an AppConfig.ready()
    that runs twice does no harm. Handlers of one message run in registration order.
    """
    if (topic_prefix, handler) not in _handlers:
        _handlers.append((topic_prefix, handler))


def unregister(topic_prefix: str, handler: Handler) -> None:
    if (topic_prefix, handler) in _handlers:
        _handlers.remove((topic_prefix, handler))


def handlers_for(topic: str) -> list[Handler]:
    return [handler for prefix, handler in _handlers if topic.startswith(prefix)]


# -- emitting -----------------------------------------------------------------------------------


def emit(topic: str, payload: dict | None = None) -> OutboxMessage:
    """Write an outbox message in the current transaction; relay it after commit."""
    message = OutboxMessage.objects.create(topic=topic, payload=payload or {})
    _relay_after_write(1)
    return message


def _relay_after_write(count: int) -> None:
    """After writing `count` messages: a relay running now goes round once more; otherwise
    one relay after this transaction commits (robust: the data is saved, a failing kick must
    not turn the request into a 500)."""
    if getattr(_state, "relaying", False):
        _state.emitted = getattr(_state, "emitted", 0) + count
    elif not _kick_pending():
        transaction.on_commit(_Kick(), robust=True)


def emit_many(messages: list[tuple[str, dict]]) -> list[OutboxMessage]:
    """`emit` for a batch: one INSERT for all the (topic, payload) messages, one relay after commit."""
    if not messages:
        return []
    rows = OutboxMessage.objects.bulk_create(
        [OutboxMessage(topic=topic, payload=payload or {}) for topic, payload in messages]
    )
    _relay_after_write(len(rows))
    return rows


class _Kick:
    """kick_relay as an on_commit callback that knows whether it ran: test helpers
    (captureOnCommitCallbacks) run callbacks without taking them off the list."""

    __slots__ = ("done",)

    def __init__(self):
        self.done = False

    def __call__(self):
        self.done = True
        kick_relay()


def _kick_pending() -> bool:
    """Whether this transaction already asks for a relay after commit (one kick per
    transaction, however many messages it emits). A kick registered in a savepoint
    that was rolled back is gone from the list, so a later emit registers again."""
    return getattr(_state, "relaying", False) or any(
        isinstance(callback, _Kick) and not callback.done for _sids, callback, _robust in connection.run_on_commit
    )


def kick_relay() -> None:
    """Ask for a relay now: a Celery task on the broker, or in process when eager.

    At most one relay task waits in the queue: while one is queued and not yet
    started (it clears KICK_KEY first thing), it will see our committed messages,
    so no second one is needed; at hundreds of intakes a second that saves as
    many tasks. A broker that is down, frozen or recently failed (core.breaker) is
    logged and skipped without waiting: the messages stay in the table for the
    periodic relay, which delivers them once Redis is back.
    """
    from .tasks import relay_outbox

    try:
        if not cache.add(KICK_KEY, 1, KICK_SECONDS):
            return
    except Exception as error:  # noqa: BLE001 — no shared cache (Redis down): just publish
        logger.warning("Outbox: cache unavailable (%s).", error)
    if relay_outbox.app.conf.task_always_eager:
        try:
            relay_outbox.apply_async()
        except Exception:
            # Eager mode runs the relay here: its failures are logged, the data stays saved.
            logger.exception("Outbox: relay after commit failed; the periodic relay will retry.")
        return
    try:
        breaker("redis").call(relay_outbox.apply_async, retry=False)
    except Exception as error:  # noqa: BLE001 — broker down, frozen or skipped
        logger.warning("Outbox: broker unreachable (%s); the periodic relay will deliver.", error)
        try:
            cache.delete(KICK_KEY)
        except Exception:  # noqa: BLE001, S110 — it expires by itself
            pass


# -- relaying -------------------------------------------------------------------------------------


def current_batch() -> list[OutboxMessage]:
    """The messages of the batch being relayed ([] outside a relay), so that a handler can
    load what it needs for all of them in one query on its first call (see batch_memo)."""
    return getattr(_state, "batch", None) or []


def batch_memo() -> dict:
    """A dict that lives as long as the current relay batch, for handlers to keep what they
    loaded for the whole batch; outside a relay, a fresh dict each call (nothing is kept)."""
    memo = getattr(_state, "memo", None)
    return {} if memo is None else memo


def _due(now):
    return OutboxMessage.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        sent_at__isnull=True,
        attempts__lt=settings.OUTBOX_MAX_ATTEMPTS,
    )


def _backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after the n-th failure, at most an hour."""
    return timedelta(minutes=min(2 ** (attempts - 1), 60))


def relay_pending(limit: int = 200) -> int:
    """Deliver up to `limit` due messages, oldest first; the number delivered.

    Safe to run concurrently: a message is locked while delivered, and a
    message another relay holds is skipped, not waited for.
    """
    delivered = 0
    done = 0
    previous = getattr(_state, "relaying", False)
    _state.relaying = True
    try:
        while done < limit:
            size = min(BATCH_SIZE, limit - done)
            _state.emitted = 0
            batch_delivered, batch_size = _relay_batch(size)
            delivered += batch_delivered
            done += batch_size
            if batch_size < size and not _state.emitted:
                break  # nothing more was due (or the rest is locked by another relay)
    finally:
        _state.relaying = previous
    return delivered


def _relay_batch(size: int) -> tuple[int, int]:
    skip_locked = connection.features.has_select_for_update_skip_locked
    delivered = 0
    with transaction.atomic():
        now = timezone.now()
        batch = list(_due(now).select_for_update(skip_locked=skip_locked).order_by("id")[:size])
        sent_ids = []
        outer = getattr(_state, "batch", None), getattr(_state, "memo", None)
        _state.batch, _state.memo = batch, {}
        try:
            _deliver(batch, now, sent_ids)
        finally:
            _state.batch, _state.memo = outer
        if sent_ids:
            # Compare-and-set: only rows still unsent, whatever the locking did.
            delivered = OutboxMessage.objects.filter(pk__in=sent_ids, sent_at__isnull=True).update(
                sent_at=timezone.now()
            )
    return delivered, len(batch)


def _deliver(batch, now, sent_ids):
    """Run the handlers of each message in its own savepoint; collect the delivered ids."""
    for message in batch:
        try:
            with transaction.atomic():
                for handler in handlers_for(message.topic):
                    handler(message)
        except Exception as error:  # noqa: BLE001 — any handler failure means "try again later"
            _record_failure(message, error, now)
        else:
            if not handlers_for(message.topic):
                logger.warning("Outbox: no handler for %s (message %s); marked sent.", message.topic, message.pk)
            sent_ids.append(message.pk)


def _record_failure(message: OutboxMessage, error: Exception, now) -> None:
    attempts = message.attempts + 1
    text = "".join(traceback.format_exception(error))[-MAX_ERROR_CHARS:]
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=F("attempts") + 1, last_error=text, next_attempt_at=now + _backoff(attempts)
    )
    if attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        logger.error(
            "Outbox: gave up on message %s (%s) after %d attempts: %s", message.pk, message.topic, attempts, error
        )
    else:
        logger.warning("Outbox: message %s (%s) failed, attempt %d: %s", message.pk, message.topic, attempts, error)


def retry(messages: Iterable[OutboxMessage] | Iterable[int]) -> int:
    """Make unsent messages due again with a fresh attempt count; relay after commit."""
    ids = [getattr(message, "pk", message) for message in messages]
    count = OutboxMessage.objects.filter(pk__in=ids, sent_at__isnull=True).update(attempts=0, next_attempt_at=None)
    if count:
        transaction.on_commit(kick_relay, robust=True)
    return count


def pending_count() -> int:
    """Messages not yet sent that will still be tried (for health checks)."""
    return OutboxMessage.objects.filter(sent_at__isnull=True, attempts__lt=settings.OUTBOX_MAX_ATTEMPTS).count()
