"""Background work: a Celery task queued once the current transaction commits.

With REDIS_URL unset Celery runs tasks eagerly, so the task runs in this
process right after commit; with REDIS_URL set it goes to the Redis broker
and a worker (`celery -A config worker`) runs it.
"""

from django.db import transaction


def run_after_commit(task, *args, **kwargs):
    # robust: a failing task must not turn a request whose data is saved into a 500.
    transaction.on_commit(lambda: task.delay(*args, **kwargs), robust=True)
