"""API keys on a request: who is calling, and whether their per-minute budget allows it.

The counter is a fixed one-minute window in Django's cache (Redis in production, so every
app server counts together): `add` starts a window's counter, `incr` counts atomically.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import Open311Error
from .models import ApiKey

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60


def key_for(raw) -> ApiKey:
    """The active key, or a 403 Open311Error (missing, unknown or revoked)."""
    raw = str(raw or "").strip()
    if not raw:
        raise Open311Error(403, _("An api_key is required."))
    if len(raw) > 200:
        raise Open311Error(403, _("This api_key is not valid."))
    key = ApiKey.objects.filter(digest=ApiKey.digest_of(raw), revoked_at__isnull=True).first()
    if key is None:
        raise Open311Error(403, _("This api_key is not valid."))
    return key


def count_request(key: ApiKey) -> None:
    """Count one request of the key; a 429 Open311Error with Retry-After past its limit.
    An unreachable cache lets the request through (logged): better than refusing everyone."""
    now = timezone.now().timestamp()
    window = int(now // WINDOW_SECONDS)
    name = f"linli:open311:rate:{key.pk}:{window}"
    try:
        cache.add(name, 0, WINDOW_SECONDS + 5)
        used = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, WINDOW_SECONDS + 5)
        used = 1
    except Exception as error:  # noqa: BLE001 - the cache server is down
        logger.warning("Open311 rate limit not counted: %s", error)
        return
    if used > key.rate_per_minute:
        retry_after = max(1, int((window + 1) * WINDOW_SECONDS - now + 0.999))
        raise Open311Error(
            429, _("Too many requests with this api_key; try again in %(n)d seconds.") % {"n": retry_after},
            headers={"Retry-After": str(retry_after)},
        )
