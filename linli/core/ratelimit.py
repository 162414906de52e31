"""Request budgets: at most N requests per key in a fixed window, counted in Django's cache.

    settings.RATE_LIMITS = {"intake-user": (10, 60), ...}   scope → (requests, seconds)

The counters live in the "ratelimit" cache (settings.CACHES), shared by every process of the
deployment: Redis when REDIS_URL is set, else the database (`CounterDatabaseCache` below, on
the table core's migration creates). Never a process's own memory: with four gunicorn workers
a guesser would get four budgets.
A window is the same for everyone (seconds since the epoch // window length), so one
`cache.add` + `cache.incr` per request counts atomically across processes; the price of
fixed windows is that a client may spend two budgets back to back around a window's edge.
Time comes from `timezone.now()`, so tests move it with the `clock` fixture.

Use as a DRF throttle (`BudgetThrottle` subclasses: 429 with Retry-After through
core.api.exception_handler), as a view decorator (`rate_limit`), or call `hit` / `refund`
directly when only failures should count (the login views).
"""

import base64
import functools
import hashlib
import logging
import math
import pickle
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from rest_framework.throttling import BaseThrottle

from .api import error_body, is_api_path, rate_limited_message
from .breaker import DependencyDown

logger = logging.getLogger(__name__)


CACHE_ALIAS = "ratelimit"
CACHE_TABLE = "linli_rate_limit_cache"  # created by core's migration 0006


class CounterDatabaseCache(DatabaseCache):
    """Django's database cache with an atomic `incr`: Django's reads the value and writes it
    back, so two processes counting at once would both write the same number. Here the write
    succeeds only if the row still holds what was read (compare-and-swap), else it reads again."""

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        connection = connections[router.db_for_write(self.cache_model_class)]
        table = connection.ops.quote_name(self._table)
        for _attempt in range(100):
            with connection.cursor() as cursor:
                # Expiry is not checked: a window's keys are used only within the window.
                cursor.execute(f"SELECT value FROM {table} WHERE cache_key = %s", [key])
                row = cursor.fetchone()
                if row is None:
                    raise ValueError(f"Key '{key}' not found")
                value = pickle.loads(base64.b64decode(row[0].encode())) + delta
                stored = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
                cursor.execute(
                    f"UPDATE {table} SET value = %s WHERE cache_key = %s AND value = %s", [stored, key, row[0]]
                )
                if cursor.rowcount == 1:
                    return value
        raise RuntimeError(f"Rate-limit counter {key} kept changing under this process")


def _cache():
    return caches[CACHE_ALIAS]


FALLBACK_ALIAS = "ratelimit_fallback"


def _counted(operation):
    """`operation(cache)` on the budgets' store. When that is Redis and it cannot be reached, the
    budgets are counted in the database table instead (settings.CACHES["ratelimit_fallback"]): a
    down Redis must neither switch the limits off (a guesser's holiday) nor lock everyone out."""
    try:
        return operation(_cache())
    except DependencyDown:  # failed recently: its breaker logged that once
        return operation(caches[FALLBACK_ALIAS])
    except Exception as error:  # noqa: BLE001 — the cache server is down or hung
        logger.warning("Rate limits counted in the database: the budget store failed (%s)", error)
        return operation(caches[FALLBACK_ALIAS])


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int  # requests counted in this window, this one included
    limit: int
    retry_after: int  # seconds until the window ends and the budget is whole again


def client_ip(request):
    """The client's address for rate limits.

    REMOTE_ADDR, unless settings.TRUSTED_PROXY_COUNT says how many of our own
    proxies (e.g. 1 for nginx) append to X-Forwarded-For; entries before
    theirs are client-supplied and never trusted.
    """
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def ip_ident(request):
    return f"ip:{client_ip(request) or 'unknown'}"


def budget(scope):
    requests, seconds = settings.RATE_LIMITS[scope]
    return int(requests), max(1, int(seconds))


def _window(seconds):
    now = timezone.now().timestamp()
    index = int(now // seconds)
    return index, max(1, math.ceil((index + 1) * seconds - now))


def _key(scope, ident, index):
    # Hashed: phone numbers and addresses stay out of the cache's key space.
    digest = hashlib.sha256(str(ident).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{settings.RATE_LIMIT_KEY_PREFIX}:{scope}:{digest}:{index}"


def hit(scope, ident, limit=None):
    """Count one request of `ident` (a user id, an address, a phone, an API key) against the
    scope's budget; `limit` overrides the scope's request count (e.g. a per-key rate). A Redis
    that cannot be reached is replaced by the database table (`_counted`), logged."""
    requests, seconds = budget(scope)
    limit = requests if limit is None else int(limit)
    index, retry_after = _window(seconds)
    key = _key(scope, ident, index)

    def count(cache):
        cache.add(key, 0, timeout=seconds + 1)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=seconds + 1)
            return 1

    counted = _counted(count)
    return Verdict(counted <= limit, counted, limit, retry_after)


def peek(scope, ident):
    """The verdict for one more request, without counting it."""
    limit, seconds = budget(scope)
    index, retry_after = _window(seconds)
    count = (_counted(lambda cache: cache.get(_key(scope, ident, index))) or 0) + 1
    return Verdict(count <= limit, count, limit, retry_after)


def refund(scope, ident):
    """Give back a request counted by `hit` (e.g. a login that succeeded)."""
    _limit, seconds = budget(scope)
    index, _retry = _window(seconds)
    key = _key(scope, ident, index)

    def give_back(cache):
        try:
            cache.decr(key)
        except ValueError:
            pass  # the window is over: nothing left to give back

    _counted(give_back)


def reset(scope, ident):
    """Make `ident`'s budget of the scope whole again now (an administrator's recovery path)."""
    _limit, seconds = budget(scope)
    index, _retry = _window(seconds)
    key = _key(scope, ident, index)
    _counted(lambda cache: cache.delete(key))


class BudgetThrottle(BaseThrottle):
    """A DRF throttle on one scope of settings.RATE_LIMITS; `ident` says whose budget."""

    scope = None

    def ident(self, request):
        """Whose budget the request spends; None leaves it unlimited."""
        raise NotImplementedError

    def allow_request(self, request, view):
        ident = self.ident(request)
        if ident is None:
            self.verdict = None
            return True
        self.verdict = hit(self.scope, ident)
        return self.verdict.allowed

    def wait(self):
        return self.verdict.retry_after if self.verdict is not None else None


def user_ident(request):
    """The signed-in user's budget (None for anonymous requests: unlimited here)."""
    user = getattr(request, "user", None)
    return f"user:{user.pk}" if user is not None and user.is_authenticated else None


class PerUserThrottle(BudgetThrottle):
    def ident(self, request):
        return user_ident(request)


class PerIpThrottle(BudgetThrottle):
    def ident(self, request):
        return ip_ident(request)


class IntakePerUserThrottle(PerUserThrottle):
    scope = "intake-user"


class IntakePerIpThrottle(PerIpThrottle):
    scope = "intake-ip"


def too_many_requests(request, retry_after):
    """The 429 for a view outside DRF: the API's JSON body under /api/, plain text elsewhere."""
    message = rate_limited_message(retry_after)
    if is_api_path(request):
        response = JsonResponse(error_body("rate_limited", message), status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    return response


def rate_limit(scope, ident=ip_ident, methods=("POST",)):
    """Decorate a Django view: requests with `methods` spend `ident(request)`'s budget of `scope`."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                key = ident(request)
                if key is not None:
                    verdict = hit(scope, key)
                    if not verdict.allowed:
                        return too_many_requests(request, verdict.retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
