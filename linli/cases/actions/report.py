"""Intake: every channel (随手拍, patrol, walk-in, hotline, API) ends in `check_report`.

The path is kept lean because it is the hottest write of the system: for a JSON report
with coordinates it runs one query for the grid's chain of areas (categories, routing
rules, the calendar and the grid index are cached per process), then INSERT case,
UPDATE number, INSERT event, INSERT outbox message. `prepare_report` validates without
writing, `do_report_many` files a batch of validated reports in a fixed number of statements.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Case as DbCase
from django.db.models import CharField, Value, When
from django.db.models.functions import Cast, Concat, LPad
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
from .common import clean_text, process_photos, record, record_many

ADDRESS_MAX_LENGTH = Case._meta.get_field("address").max_length
NAME_MAX_LENGTH = Case._meta.get_field("reporter_name").max_length


@dataclass
class ReportDraft:
    """A validated report, not yet filed: what `prepare_report` checked, for `do_report`
    (one case) or `do_report_many` (a batch, e.g. a hotline import)."""

    limits: routing.Limits
    description: str
    channel: str
    point: tuple[float, float] | None = None
    address: str = ""
    area_hint: Area | None = None
    photos: list = field(default_factory=list)
    show_reporter_name: bool = False
    reporter_name: str = ""
    reporter_phone: str = ""


NUMBER_DIGITS = 6


def case_number(pk, when) -> str:
    """`YYYY-NNNNNN`: the year of the report and the primary key (unique, not gap-free)."""
    return f"{timezone.localtime(when).year}-{pk:0{NUMBER_DIGITS}d}"


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


def prepare_report(
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
) -> ReportDraft:
    """Validate a report (see the module docstring of `actions`) without writing anything.
    Raises CaseError."""
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
    return ReportDraft(
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


def check_report(actor, **fields) -> Case:
    """Validate a report and file it (see the module docstring of `actions`). Raises CaseError."""
    return do_report(actor, **vars(prepare_report(actor, **fields)))


def _new_case(actor, draft: ReportDraft, now, chains=None) -> Case:
    """The unsaved Case of a validated report: placed, routed, its acceptance due time set."""
    limits = draft.limits
    lat, lng = draft.point if draft.point else (None, None)
    where = routing.placement(lat, lng, draft.area_hint, chains=chains)
    unit_id = routing.route(where.ancestors, limits) if where else None
    return Case(
        channel=draft.channel,
        category=limits.category,
        description=draft.description,
        address=draft.address,
        lat=lat,
        lng=lng,
        area=where.area if where else None,
        area_code=where.area.code if where else "",
        unlocated=where is None or where.unlocated,
        status=CaseStatus.REPORTED,
        priority=limits.priority,
        reporter=actor if getattr(actor, "pk", None) else None,
        reporter_name=draft.reporter_name,
        reporter_phone=draft.reporter_phone,
        show_reporter_name=draft.show_reporter_name,
        queue_area=where.queue_area if where else None,
        unit_id=unit_id,
        accept_due=routing.accept_due(now, limits),
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
    draft = ReportDraft(
        limits=limits, description=description, channel=channel, point=point, address=address,
        area_hint=area_hint, photos=list(photos), show_reporter_name=show_reporter_name,
        reporter_name=reporter_name, reporter_phone=reporter_phone,
    )
    case = _new_case(actor, draft, timezone.now())
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


def do_report_many(actor, drafts: list[ReportDraft], *, notify=True) -> list[Case]:
    """File many validated reports (no photos) in one transaction: one query per distinct place
    for its chain of areas, then one statement each for the cases, their numbers, their events
    and their outbox messages. A hotline import files a chunk of
    rows this way. `notify=False` marks the messages so that nobody is told of each case
    (the importer sees the job's summary); webhooks and other handlers still get them."""
    if any(draft.photos for draft in drafts):
        raise ValueError("do_report_many files reports without photos")
    now = timezone.now()
    chains: dict = {}
    cases = [_new_case(actor, draft, now, chains=chains) for draft in drafts]
    if not cases:
        return []
    with transaction.atomic():
        Case.objects.bulk_create(cases)
        year = timezone.localtime(now).year
        for case in cases:
            case.number = case_number(case.pk, now)
        # case_number in SQL, one UPDATE (bulk_update's CASE per row costs more than the inserts)
        digits = Cast("id", CharField())
        Case.objects.filter(pk__in=[case.pk for case in cases]).update(number=Concat(
            Value(f"{year}-"),
            DbCase(When(id__gte=10**NUMBER_DIGITS, then=digits), default=LPad(digits, NUMBER_DIGITS, Value("0"))),
        ))
        events = record_many(
            cases,
            [case.reporter for case in cases],
            Action.REPORT,
            data=[{"channel": str(case.channel), "unlocated": case.unlocated} for case in cases],
            topic="case.reported",
            message=[
                {"channel": str(case.channel), "category_id": case.category_id, **({} if notify else {"quiet": True})}
                for case in cases
            ],
        )
    assert len(events) == len(cases)
    return cases
