"""Pieces every case action shares: photos, timeline events, outbox messages."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext as _

from linli.core import media, outbox

from ..errors import CaseError
from ..models import Case, CaseEvent, CasePhoto


def clean_text(value, *, field, max_length, code="too_long"):
    text = "" if value is None else str(value).strip()
    if len(text) > max_length:
        raise CaseError(code, _("At most %(n)d characters.") % {"n": max_length}, field=field)
    return text


def process_photos(files, *, max_count, field="photos"):
    """Check and re-encode uploaded photos (before any transaction: it is slow).
    Returns ProcessedImage objects; a bad file raises CaseError with the media code."""
    files = list(files or ())
    if len(files) > max_count:
        raise CaseError("too_many_photos", _("At most %(n)d photos.") % {"n": max_count}, field=field)
    processed = []
    for upload in files:
        try:
            processed.append(media.process_image(upload, media.CASE_PHOTO_RULE))
        except media.MediaError as error:
            code, message = getattr(error, "code", "bad_photo"), getattr(error, "message", str(error))
            raise CaseError(code, message, field=field) from None
    return processed


def save_photos(case, event, processed):
    for item in processed:
        stem = uuid.uuid4().hex
        photo = CasePhoto(case=case, event=event, width=item.width, height=item.height)
        photo.image.save(f"{stem}.jpg", item.image, save=False)
        photo.thumbnail.save(f"{stem}_thumb.jpg", item.thumbnail, save=False)
        photo.width, photo.height = item.width, item.height
        photo.save()


def payload(case: Case, action, actor=None, from_status="", **extra):
    """What an outbox message about a case carries: enough to find whom to tell."""
    return {
        "case_id": case.pk,
        "number": case.number,
        "action": str(action),
        "actor_id": getattr(actor, "pk", None),
        "from": str(from_status or ""),
        "to": str(case.status),
        "area_code": case.area_code,
        "queue_area_id": case.queue_area_id,
        "unit_id": case.unit_id,
        "reporter_id": case.reporter_id,
        **extra,
    }


def record(case, actor, action, from_status, *, note="", data=None, photos=(), topic=None, message=None):
    """Append the timeline event and the outbox message of an action on a locked case."""
    data = data or {}
    event = CaseEvent.objects.create(
        case=case, actor=actor, action=action, from_status=from_status, to_status=case.status, note=note, data=data
    )
    if photos:
        save_photos(case, event, photos)
    extra = {"event_id": event.pk, **({"note": note[:500]} if note else {}), **(message or {})}
    outbox.emit(topic or f"case.{action}", payload(case, action, actor, from_status, **extra))
    return event


def record_many(cases, actors, action, *, data, topic, message):
    """`record` for a batch of cases without photos: one INSERT for the events, one for the
    outbox messages. `data` and `message`: one dict per case."""
    events = CaseEvent.objects.bulk_create([
        CaseEvent(case=case, actor=actor, action=action, from_status="", to_status=case.status, data=row)
        for case, actor, row in zip(cases, actors, data, strict=True)
    ])
    outbox.emit_many([
        (topic, payload(case, action, actor, "", event_id=event.pk, **extra))
        for case, actor, event, extra in zip(cases, actors, events, message, strict=True)
    ])
    return events
