"""Background work: a Celery task queued once the current transaction commits.

With REDIS_URL unset Celery runs tasks eagerly: in this process right after commit, or, for a
`long` task (a hotline import), in a thread of this process, so the page answers at once and
polls for progress as it would with a worker (settings.LONG_TASKS_IN_THREAD; tests turn it
off to wait for the work). With REDIS_URL set the task goes to the Redis broker and a worker
(`celery -A config worker`) runs it. While the broker cannot take it (down, frozen: see
core.breaker) the task runs in a thread of this process instead of being lost or making the
request wait.
"""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connections, transaction

from .breaker import breaker

logger = logging.getLogger(__name__)


def run_after_commit(task, *args, long=False):
    # robust: a failing task must not turn a request whose data is saved into a 500.
    transaction.on_commit(lambda: enqueue(task, *args, long=long), robust=True)


def enqueue(task, *args, long=False):
    """Hand `task(*args)` to whatever runs background work here (see the module's text)."""
    if task.app.conf.task_always_eager:
        if long and settings.LONG_TASKS_IN_THREAD:
            run_in_thread(task, *args)
        else:
            task.delay(*args)
        return
    try:
        # No retries: a broker that does not take the message at once is treated as down.
        breaker("redis").call(task.apply_async, args, retry=False)
    except Exception as error:  # noqa: BLE001 — the broker is down, frozen or skipped
        logger.warning("Broker unavailable (%s): %s runs in this process.", error, task.name)
        run_in_thread(task, *args)


def run_in_thread(task, *args):
    threading.Thread(target=_run, args=(task, args), daemon=True).start()


def _run(task, args):
    close_old_connections()
    try:
        task.run(*args)
    except Exception:  # noqa: BLE001 — the thread's failure is logged, as a worker's would be
        logger.exception("Background task %s failed", task.name)
    finally:
        connections.close_all()
