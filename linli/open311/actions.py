"""Every write of the Open311 app.

check_submit_request(api_key, jurisdiction, data, files=()) -> ServiceRequest
    A POSTed request (a QueryDict: the spec's fields). Validates the service, the attributes,
    the location and the contact details; then files the case through
    `cases.actions.check_report` (channel open311) in the same transaction as the request row,
    or — for a key that holds for screening — keeps the request as `held` with a token.
    Raises Open311Error (400; 404 for an unknown service_code).
check_release(actor, request) -> ServiceRequest   a dispatcher over the request's area files it
check_reject(actor, request, reason) -> ServiceRequest
    (Http404 outside the actor's dispatch scope; Open311Error 409 when no longer held;
    CaseError from check_report when the held request cannot be filed as it is.)
do_create_api_key(organization, name, rate_per_minute, hold_for_screening) -> (ApiKey, raw key)
do_update_api_key(key, ...), do_revoke_api_key(key)
check_save_jurisdiction(...), check_save_service_attribute(...), do_delete_service_attribute(attribute)
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.cases import routing
from linli.cases.actions import CaseError, check_report
from linli.cases.actions.common import process_photos
from linli.cases.choices import DESCRIPTION_MAX_LENGTH as CASE_DESCRIPTION_MAX_LENGTH
from linli.cases.choices import MAX_PHOTOS, Channel
from linli.core import outbox
from linli.core.scoping import scope_for

from . import intake, queries
from .choices import LIST_DATATYPES, Datatype, RequestState
from .errors import Open311Error
from .models import ApiKey, Jurisdiction, ServiceAttribute, ServiceRequest

HELD_MEDIA_DIR = "open311/held"


# -- API keys ------------------------------------------------------------------------------------


def _check_rate(rate_per_minute):
    try:
        rate = int(rate_per_minute)
    except (TypeError, ValueError):
        rate = 0
    if rate < 1 or rate > 100_000:
        raise ValueError(_("The rate limit is a whole number from 1 to 100000 requests per minute."))
    return rate


def do_create_api_key(organization, name="", rate_per_minute=60, hold_for_screening=False):
    """A new key for the organization; returns (ApiKey, raw key). Only the digest is stored."""
    raw = ApiKey.generate()
    key = ApiKey.objects.create(
        organization=organization, name=name or "", digest=ApiKey.digest_of(raw), prefix=raw[:12],
        rate_per_minute=_check_rate(rate_per_minute), hold_for_screening=bool(hold_for_screening),
    )
    return key, raw


def do_update_api_key(key, *, name, rate_per_minute, hold_for_screening):
    ApiKey.objects.filter(pk=key.pk).update(
        name=name or "", rate_per_minute=_check_rate(rate_per_minute), hold_for_screening=bool(hold_for_screening)
    )
    key.refresh_from_db()
    return key


def do_revoke_api_key(key):
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    key.refresh_from_db()
    return key


# -- configuration: jurisdictions and service attributes -------------------------------------------


def do_delete_jurisdiction(jurisdiction: Jurisdiction) -> None:
    with transaction.atomic():
        Jurisdiction.objects.filter(pk=jurisdiction.pk).delete()


def check_save_jurisdiction(instance: Jurisdiction) -> Jurisdiction:
    """Create or change a jurisdiction (the admin form has validated the fields)."""
    if instance.area_id is None:
        raise ValueError(_("Choose the area of the jurisdiction."))
    with transaction.atomic():
        instance.save()
    return instance


def clean_values(datatype, values) -> list[dict]:
    """A question's values: [{key, name}] with unique keys for the list datatypes, none otherwise."""
    values = list(values or [])
    if datatype not in Datatype.values:
        raise ValueError(_("Unknown datatype."))
    if datatype not in LIST_DATATYPES:
        if values:
            raise ValueError(_("Only list datatypes have values."))
        return []
    keys = [str(value.get("key", "")).strip() for value in values]
    if not keys or not all(keys) or len(set(keys)) != len(keys):
        raise ValueError(_("A list needs values, each with its own key."))
    return [{"key": key, "name": str(value.get("name") or key).strip()} for key, value in zip(keys, values)]


def check_save_service_attribute(instance: ServiceAttribute) -> ServiceAttribute:
    """Create or change a question (ValueError for values that do not fit its datatype)."""
    instance.values = clean_values(instance.datatype, instance.values)
    with transaction.atomic():
        instance.save()
    return instance


def do_delete_service_attribute(attribute: ServiceAttribute) -> None:
    with transaction.atomic():
        ServiceAttribute.objects.filter(pk=attribute.pk).delete()


# -- requests -------------------------------------------------------------------------------------------


def _case_description(description, category):
    """The case's text: the request's, shortened to what a case holds (the row keeps it whole);
    a request without one is described by its service."""
    if not description:
        return category.name, ""
    if len(description) <= CASE_DESCRIPTION_MAX_LENGTH:
        return description, ""
    notice = _("The description was shortened to %(n)d characters in the case; the full text is kept.") % {
        "n": CASE_DESCRIPTION_MAX_LENGTH}
    return description[: CASE_DESCRIPTION_MAX_LENGTH - 1] + "…", notice


def _address(location: intake.Location) -> str:
    if location.address_string:
        return location.address_string[:200]
    if location.area is not None:
        return location.area.full_name()[:200]
    return ""


def check_submit_request(api_key: ApiKey, jurisdiction: Jurisdiction | None, data, files=()) -> ServiceRequest:
    """Validate a POSTed request and file it, or hold it for screening (see the module docstring)."""
    code = str(data.get("service_code", "")).strip()
    if not code:
        raise Open311Error(400, _("service_code is required."))
    category = queries.service(code)
    if category is None:
        raise Open311Error(404, _("No service with this service_code."))
    answers = intake.clean_answers(queries.attributes_of(category), intake.raw_answers(data))
    description = intake.clean_description(data)
    contact = intake.clean_contact(data)
    media_url = intake.clean_media_url(data)
    location = intake.clean_location(data, jurisdiction)
    files = list(files or ())
    if len(files) > MAX_PHOTOS:
        raise Open311Error(400, _("At most %(n)d photos.") % {"n": MAX_PHOTOS})
    row = ServiceRequest(
        token=ServiceRequest.new_token(), api_key=api_key, jurisdiction=jurisdiction, category=category,
        description=description, answers=answers,
        lat=location.point[0] if location.point else None, lng=location.point[1] if location.point else None,
        address_string=location.address_string, address_id=location.address_id, media_url=media_url,
        first_name=contact.first_name, last_name=contact.last_name, phone=contact.phone, email=contact.email,
        device_id=contact.device_id, account_id=contact.account_id, area=location.area,
    )
    if api_key.hold_for_screening:
        try:
            process_photos(files, max_count=MAX_PHOTOS, field="media")  # refuse a bad file now, not at release
        except CaseError as error:
            raise Open311Error(400, error.message) from None
        return do_hold_request(row, files, jurisdiction)
    return do_file_request(row, files, jurisdiction)


def _file_case(row: ServiceRequest, files, jurisdiction):
    """check_report for the request (inside the caller's transaction); the case must land in the
    jurisdiction. CaseError and Open311Error roll the caller's transaction back."""
    description, notice = _case_description(row.description, row.category)
    location = intake.Location(
        point=(row.lat, row.lng) if row.lat is not None else None, area=row.area,
        address_string=row.address_string, address_id=row.address_id,
    )
    contact = intake.Contact(first_name=row.first_name, last_name=row.last_name)
    case = check_report(
        None, category=row.category, description=description, channel=Channel.OPEN311,
        lat=row.lat, lng=row.lng, address=_address(location), photos=files,
        reporter_name=contact.reporter_name, reporter_phone=row.phone, area_hint=row.area,
    )
    if jurisdiction is not None and not (case.area_code or "").startswith(jurisdiction.area.code):
        raise Open311Error(400, _("This location is outside the jurisdiction."))
    return case, notice


def do_file_request(row: ServiceRequest, files, jurisdiction) -> ServiceRequest:
    try:
        with transaction.atomic():
            case, notice = _file_case(row, files, jurisdiction)
            row.state, row.case, row.area_id, row.service_notice = RequestState.FILED, case, case.area_id, notice
            row.save(force_insert=True)
    except CaseError as error:
        raise Open311Error(400, error.message) from None
    return row


def do_hold_request(row: ServiceRequest, files, jurisdiction) -> ServiceRequest:
    """Keep the request for screening; its photos wait in storage until release."""
    if row.area is None and row.lat is not None:
        where = routing.placement(row.lat, row.lng)
        row.area = where.area if where else None
    if jurisdiction is not None and row.area is not None and not row.area.path.startswith(jurisdiction.area.path):
        raise Open311Error(400, _("This location is outside the jurisdiction."))
    row.state = RequestState.HELD
    row.service_notice = _("Your request will be reviewed before it is filed; look it up by its token.")
    stored = []
    try:
        with transaction.atomic():
            for number, upload in enumerate(files):
                upload.seek(0)
                name = f"{HELD_MEDIA_DIR}/{row.token}/{number}"
                stored.append(default_storage.save(name, ContentFile(upload.read())))
            row.held_media = stored
            row.save(force_insert=True)
            outbox.emit("open311.held", {"request_id": row.pk, "area_id": row.area_id, "token": row.token})
    except Exception:
        for name in stored:
            default_storage.delete(name)
        raise
    return row


def _check_screener(actor, row):
    scope = scope_for(actor, "cases.dispatch")
    if scope.is_empty or row.area is None and not scope.is_global:
        raise Http404
    if not scope.is_global and not scope.contains_area(row.area):
        raise Http404


def check_release(actor, row: ServiceRequest) -> ServiceRequest:
    _check_screener(actor, row)
    return do_release(actor, row)


def do_release(actor, row: ServiceRequest) -> ServiceRequest:
    """File a held request as a case (check_report); a CaseError leaves it held."""
    with transaction.atomic():
        rows = ServiceRequest.objects.select_related("category", "area", "jurisdiction__area")
        row = rows.select_for_update(of=("self",)).get(pk=row.pk)
        if row.state != RequestState.HELD:
            raise Open311Error(409, _("This request has already been screened."))
        media = list(row.held_media or [])
        files = [default_storage.open(name) for name in media]
        try:
            case, notice = _file_case(row, files, row.jurisdiction)
        finally:
            for file in files:
                file.close()
        ServiceRequest.objects.filter(pk=row.pk).update(
            state=RequestState.FILED, case=case, decided_at=timezone.now(), decided_by=actor, held_media=[],
            service_notice=notice or row.service_notice,
        )
        outbox.emit("open311.released", {"request_id": row.pk, "case_id": case.pk, "actor_id": actor.pk})
        transaction.on_commit(lambda: [default_storage.delete(name) for name in media], robust=True)
    row.refresh_from_db()
    return row


def check_reject(actor, row: ServiceRequest, reason) -> ServiceRequest:
    _check_screener(actor, row)
    reason = str(reason or "").strip()
    if not reason:
        raise Open311Error(400, _("Give a reason."))
    if len(reason) > 500:
        raise Open311Error(400, _("At most %(n)d characters.") % {"n": 500})
    return do_reject(actor, row, reason)


def do_reject(actor, row: ServiceRequest, reason) -> ServiceRequest:
    with transaction.atomic():
        row = ServiceRequest.objects.select_for_update().get(pk=row.pk)
        if row.state != RequestState.HELD:
            raise Open311Error(409, _("This request has already been screened."))
        media = list(row.held_media or [])
        ServiceRequest.objects.filter(pk=row.pk).update(
            state=RequestState.REJECTED, decided_at=timezone.now(), decided_by=actor, reject_reason=reason,
            held_media=[],
        )
        outbox.emit("open311.rejected", {"request_id": row.pk, "actor_id": actor.pk})
        transaction.on_commit(lambda: [default_storage.delete(name) for name in media], robust=True)
    row.refresh_from_db()
    return row
