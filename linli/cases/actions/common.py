"""Pieces every case action shares: the timeline (events, photos, outbox messages) and the
parameter checks, all from the workflow engine (linli.core.workflow) with CaseError."""

from __future__ import annotations

from functools import partial

from linli.core import workflow

from ..errors import CaseError
from ..models import Case, CaseEvent, CasePhoto

clean_text = partial(workflow.clean_text, error=CaseError)
process_photos = partial(workflow.process_photos, error=CaseError)
clean_rating = partial(workflow.clean_rating, error=CaseError)


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


TIMELINE = workflow.Timeline(event_model=CaseEvent, owner="case", topic_prefix="case", payload=payload,
                             photo_model=CasePhoto)
record = TIMELINE.record
record_many = TIMELINE.record_many
save_photos = TIMELINE.save_photos
