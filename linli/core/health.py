"""Health endpoints; the reason for a failure goes to the log, not to an unauthenticated caller.

GET /healthz — liveness, for a load balancer or `docker compose` healthcheck: this process serves
and the database answers. 200 {"status": "ok", "checks": {"database": "ok"}} or 503. Redis is
not asked: intake keeps serving without it (core.breaker), and a node whose Redis is down must
not be taken out of service.

GET /healthz/status — for monitoring: each dependency's state. "database", "cache" and (when
REDIS_URL is set) "broker" are "ok" or "failed"; "outbox" gives the messages waiting and the age
in seconds of the oldest. 200 with "status": "ok", or "degraded" when only Redis fails; 503
"failed" when the database does.

Answered by a middleware placed before SecurityMiddleware and host validation, so a probe
over plain HTTP by address (no SECURE_SSL_REDIRECT, no ALLOWED_HOSTS entry) still gets an
answer; it reads nothing of the request, needs no session and spends no rate-limit budget.
"""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

logger = logging.getLogger(__name__)
PATH = "/healthz"
STATUS_PATH = "/healthz/status"
TIMEOUT_SECONDS = 2


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    key, value = "linli-healthz", uuid.uuid4().hex
    cache.set(key, value, 10)
    if cache.get(key) != value:
        raise RuntimeError("cache did not return the value just written")


def check_broker():
    import redis  # installed with celery[redis]

    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
    )
    try:
        client.ping()
    finally:
        client.close()


def run_checks(checks):
    results, healthy = {}, True
    for name, check in checks:
        try:
            check()
        except Exception:  # any failure is a failed check, never a 500
            logger.exception("health check %s failed", name, extra={"check": name})
            results[name], healthy = "failed", False
        else:
            results[name] = "ok"
    return healthy, results


def outbox_backlog():
    from django.utils import timezone

    from .models import OutboxMessage

    waiting = OutboxMessage.objects.filter(sent_at__isnull=True, attempts__lt=settings.OUTBOX_MAX_ATTEMPTS)
    oldest = waiting.order_by("id").values_list("created_at", flat=True).first()
    return {"waiting": waiting.count(),
            "oldest_seconds": int((timezone.now() - oldest).total_seconds()) if oldest else 0}


def _answer(body, status):
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


def healthz(request):
    healthy, results = run_checks([("database", check_database)])
    return _answer({"status": "ok" if healthy else "failed", "checks": results}, 200 if healthy else 503)


def status(request):
    database_ok, results = run_checks([("database", check_database)])
    others = [("cache", check_cache)] + ([("broker", check_broker)] if settings.REDIS_URL else [])
    others_ok, more = run_checks(others)
    results.update(more)
    body = {"status": "failed" if not database_ok else ("ok" if others_ok else "degraded"), "checks": results}
    if database_ok:
        try:
            body["outbox"] = outbox_backlog()
        except Exception:  # noqa: BLE001 — a status page never fails
            logger.exception("health status: the outbox could not be counted")
    return _answer(body, 200 if database_ok else 503)


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            if request.path == PATH:
                return healthz(request)
            if request.path == STATUS_PATH:
                return status(request)
        return self.get_response(request)
