"""GET /healthz for a load balancer or `docker compose` healthcheck: the database, the cache
and (when REDIS_URL is set) the Celery broker. 200 {"status": "ok", "checks": {...}} or 503
naming the check that failed; the reason goes to the log, not to an unauthenticated caller.

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


def run_checks():
    checks = [("database", check_database), ("cache", check_cache)]
    if settings.REDIS_URL:
        checks.append(("broker", check_broker))
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


def healthz(request):
    healthy, results = run_checks()
    response = JsonResponse({"status": "ok" if healthy else "failed", "checks": results}, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
