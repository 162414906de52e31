"""How a delivery is signed, and how a receiver checks it (docs/webhooks.md shows the same).

    X-Linli-Timestamp: <unix seconds when this attempt was sent>
    X-Linli-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the secret>

The timestamp is part of what is signed, so a receiver that rejects old timestamps
(TOLERANCE_SECONDS) cannot be fed a recorded request again later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time

SECRET_PREFIX = "whsec_"
SIGNATURE_SCHEME = "sha256"
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def body_of(payload: dict) -> bytes:
    """The exact bytes sent (and signed): compact UTF-8 JSON, keys in a stable order."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_SCHEME}={digest}"


def verify(secret: str, timestamp: str, signature_header: str, body: bytes, now: float | None = None,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """What a receiver does: the timestamp is recent and the signature matches (in constant time)."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - sent) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, sent, body), signature_header or "")
