"""Intake: every channel (随手拍, patrol, walk-in, hotline, API) ends in `check_report`.

The path is kept lean because it is the hottest write of the system: for a JSON report
with coordinates it runs one query for the grid's chain of areas (categories, routing
rules, the calendar and the grid index are cached per process), then INSERT case,
UPDATE number, INSERT event, INSERT outbox message.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import mainland_mobile_validator, normalize_phone
from linli.core.scoping import scope_for
from linli.places.locate import to_wgs84
from linli.places.models import Area

from .. import routing
from ..choices import (
    ADDRESS_ONLY_CHANNELS,
    CHANNEL_CAPABILITY,
    DESCRIPTION_MAX_LENGTH,
    MAX_PHOTOS,
    Action,
    CaseStatus,
    Channel,
)
from ..errors import CaseError
from ..models import Case
from .common import clean_text, process_photos, record

ADDRESS_MAX_LENGTH = Case._meta.get_field("address").max_length
NAME_MAX_LENGTH = Case._meta.get_field("reporter_name").max_length


def case_number(pk, when) -> str:
    """`YYYY-NNNNNN`: the year of the report and the primary key (unique, not gap-free)."""
    return f"{timezone.localtime(when).year}-{pk:06d}"


def _check_channel(actor, channel):
    if channel not in Channel.values:
        raise CaseError("bad_channel", _("Unknown channel."), field="channel")
    capability = CHANNEL_CAPABILITY.get(channel)
    if capability and actor is not None and scope_for(actor, capability).is_empty:
        raise CaseError("channel_not_allowed", _("You may not file reports through this channel."), field="channel")
    return Channel(channel)


def _check_area_hint(area_hint):
    if area_hint is None or area_hint == "":
        return None
    if isinstance(area_hint, Area):
        return area_hint
    hint = Area.objects.filter(code=str(area_hint).strip()).first()
    if hint is None:
        raise CaseError("bad_area", _("No area with this code."), field="area_hint")
    return hint


def _check_point(lat, lng, coord_system):
    if lat in (None, "") and lng in (None, ""):
        return None
    if lat in (None, "") or lng in (None, ""):
        missing = "lat" if lat in (None, "") else "lng"
        raise CaseError("bad_coordinates", _("Give both latitude and longitude."), field=missing)
    point = to_wgs84(lat, lng, coord_system) if coord_system in ("wgs84", "gcj02") else None
    if point is None:
        raise CaseError("bad_coordinates", _("These are not valid coordinates."), field="lat")
    return point


def _check_phone(phone):
    given = str(phone or "").strip()
    phone = normalize_phone(given) if given else ""
    if given:
        try:
            mainland_mobile_validator(phone)
        except Exception:  # noqa: BLE001 - Django's ValidationError; one code for the API
            message = _("Enter a valid mainland China mobile number.")
            raise CaseError("bad_phone", message, field="reporter_phone") from None
    return phone


def check_report(
    actor,
    *,
    category,
    description,
    channel,
    lat=None,
    lng=None,
    coord_system="wgs84",
    address="",
    photos=(),
    show_reporter_name=False,
    reporter_name="",
    reporter_phone="",
    area_hint=None,
) -> Case:
    """Validate a report and file it (see the module docstring of `actions`). Raises CaseError."""
    channel = _check_channel(actor, channel)
    description = clean_text(description, field="description", max_length=DESCRIPTION_MAX_LENGTH)
    if not description:
        raise CaseError("description_required", _("Describe the problem."), field="description")
    address = clean_text(address, field="address", max_length=ADDRESS_MAX_LENGTH)
    reporter_name = clean_text(reporter_name, field="reporter_name", max_length=NAME_MAX_LENGTH)
    reporter_phone = _check_phone(reporter_phone)
    point = _check_point(lat, lng, coord_system)
    photos = list(photos or ())
    if len(photos) > MAX_PHOTOS:
        raise CaseError("too_many_photos", _("At most %(n)d photos.") % {"n": MAX_PHOTOS}, field="photos")
    chain = routing.category_chain(category)
    if chain is None:
        raise CaseError("unknown_category", _("Choose one of the listed categories."), field="category")
    processed = process_photos(photos, max_count=MAX_PHOTOS)
    if point is None:
        # The phone gave no position: the first photo that carries one.
        point = next((item.exif_point for item in processed if getattr(item, "exif_point", None)), None)
        point = to_wgs84(*point) if point else None
    hint = _check_area_hint(area_hint)
    if point is None and not (channel in ADDRESS_ONLY_CHANNELS and address and hint is not None):
        raise CaseError(
            "no_location",
            _("Give the position on the map, or a photo taken with location on."),
            field="lat",
        )
    return do_report(
        actor,
        limits=routing.limits_of(chain),
        description=description,
        channel=channel,
        point=point,
        address=address,
        area_hint=hint,
        photos=processed,
        show_reporter_name=bool(show_reporter_name),
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
    )


def do_report(
    actor,
    *,
    limits,
    description,
    channel,
    point=None,
    address="",
    area_hint=None,
    photos=(),
    show_reporter_name=False,
    reporter_name="",
    reporter_phone="",
) -> Case:
    """File a validated report: place, route, time limits, then one transaction."""
    now = timezone.now()
    lat, lng = point if point else (None, None)
    where = routing.placement(lat, lng, area_hint)
    unit_id = routing.route(where.ancestors, limits) if where else None
    case = Case(
        channel=channel,
        category=limits.category,
        description=description,
        address=address,
        lat=lat,
        lng=lng,
        area=where.area if where else None,
        area_code=where.area.code if where else "",
        unlocated=where is None or where.unlocated,
        status=CaseStatus.REPORTED,
        priority=limits.priority,
        reporter=actor if getattr(actor, "pk", None) else None,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        show_reporter_name=show_reporter_name,
        queue_area=where.queue_area if where else None,
        unit_id=unit_id,
        accept_due=routing.accept_due(now, limits),
    )
    with transaction.atomic():
        case.save(force_insert=True)
        case.number = case_number(case.pk, case.created_at)
        Case.objects.filter(pk=case.pk).update(number=case.number)
        record(
            case,
            case.reporter,
            Action.REPORT,
            "",
            note="",
            data={"channel": str(channel), "unlocated": case.unlocated},
            photos=photos,
            topic="case.reported",
            message={"channel": str(channel), "category_id": limits.category.pk},
        )
    return case
