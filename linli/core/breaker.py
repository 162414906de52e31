"""Circuit breakers around the services a request may lean on but must not wait for (Redis as
cache, budget store and Celery broker). After a failure the dependency is skipped for
settings.DEPENDENCY_RETRY_SECONDS: callers get `DependencyDown` at once and take their fallback
(the database table for rate limits, the calendar table, the periodic outbox relay, a thread of
this process for a task). Then one call tries again; success closes the breaker.

A frozen Redis (a hung VM, a full disk) answers nothing: without a breaker each use waits out
its socket timeout, and four uses per intake stall every worker. With it, one request per process
per retry period pays one timeout; the others never notice.

State is per process: each gunicorn worker finds out for itself, at the cost of one timeout.
"""

from __future__ import annotations

import logging
import socket
import time

from django.conf import settings

logger = logging.getLogger(__name__)


class DependencyDown(ConnectionError):
    """The dependency failed recently and is being skipped; the caller takes its fallback."""

    def __init__(self, name):
        super().__init__(f"{name} is being skipped after a recent failure")
        self.name = name


def _failures():
    """What counts as the dependency being down (not a programming error)."""
    errors = [ConnectionError, TimeoutError, OSError, socket.timeout]
    try:
        import redis.exceptions

        errors += [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, redis.exceptions.BusyLoadingError]
    except ImportError:  # pragma: no cover — installed with celery[redis]
        pass
    try:
        import kombu.exceptions

        errors.append(kombu.exceptions.OperationalError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


FAILURES = _failures()


class Breaker:
    def __init__(self, name):
        self.name = name
        self.open_until = 0.0  # time.monotonic() before which calls are skipped
        self.failed_at = None  # when the current outage was first seen (for the status page)

    @property
    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def call(self, function, *args, **kwargs):
        """`function(*args, **kwargs)`, unless the dependency failed recently (DependencyDown).
        A failure opens the breaker and is raised for the caller's fallback."""
        if self.is_open:
            raise DependencyDown(self.name)
        try:
            result = function(*args, **kwargs)
        except FAILURES as error:
            self.trip(error)
            raise
        if self.failed_at is not None:
            logger.warning("%s answers again", self.name, extra={"dependency": self.name})
            self.failed_at = None
        return result

    def trip(self, error):
        if self.failed_at is None:
            self.failed_at = time.time()
        self.open_until = time.monotonic() + settings.DEPENDENCY_RETRY_SECONDS
        logger.warning("%s failed (%s): skipped for %s s", self.name, error, settings.DEPENDENCY_RETRY_SECONDS,
                       extra={"dependency": self.name})

    def reset(self):
        self.open_until, self.failed_at = 0.0, None


_breakers: dict[str, Breaker] = {}


def breaker(name: str) -> Breaker:
    """The process's breaker for one dependency (e.g. "redis": the cache, budgets and broker share it)."""
    if name not in _breakers:
        _breakers[name] = Breaker(name)
    return _breakers[name]


def reset_all():
    for each in _breakers.values():
        each.reset()
