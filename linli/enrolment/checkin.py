"""The rotating check-in token a venue's QR code carries, and the geofence.

A token signs "<venue id>.<slot>" with a TimestampSigner, the slot being the current
window of QR_ROTATE_SECONDS. It is valid in its own slot and the next one, so a code
scanned just before it changes still works, and a photo of it is useless minutes later.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.core import signing
from django.utils import timezone

SALT = "linli.enrolment.checkin"


def rotate_seconds() -> int:
    return int(getattr(settings, "CHECKIN_QR_ROTATE_SECONDS", 30))


def current_slot(now=None) -> int:
    return int((now or timezone.now()).timestamp() // rotate_seconds())


def make_token(venue_id: int, now=None) -> str:
    return signing.TimestampSigner(salt=SALT).sign(f"{venue_id}.{current_slot(now)}")


def venue_id_from_token(token: str, now=None) -> int | None:
    """The venue id of a genuine token of the current or previous slot; None otherwise."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(str(token), max_age=2 * rotate_seconds() + 5)
        venue_part, slot_part = value.split(".")
        venue_id, slot = int(venue_part), int(slot_part)
    except (signing.BadSignature, ValueError):
        return None
    if current_slot(now) - slot not in (0, 1):
        return None
    return venue_id


def distance_m(lat1, lng1, lat2, lng2) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))
