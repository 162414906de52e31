"""API keys on a request: who is calling, and whether their per-minute budget allows it
(core.ratelimit's fixed windows in the cache, so every app server counts together)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from linli.core import ratelimit

from .errors import Open311Error
from .models import ApiKey

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
    """Count one request of the key against its own per-minute rate (core.ratelimit, the
    "open311-key" window); a 429 Open311Error with Retry-After past it."""
    verdict = ratelimit.hit("open311-key", f"key:{key.pk}", limit=key.rate_per_minute)
    if not verdict.allowed:
        raise Open311Error(
            429, _("Too many requests with this api_key; try again in %(n)d seconds.") % {"n": verdict.retry_after},
            headers={"Retry-After": str(verdict.retry_after)},
        )
