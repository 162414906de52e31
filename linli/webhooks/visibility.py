"""Which organizations may see a case, for webhooks (the party/scope rules of linli.cases,
seen from an organization instead of a person).

An organization sees a case when it is the case's lead unit, one of its assisting units,
or when the area it serves contains the case's area (area codes extend their parent's,
as in linli.core.scoping). An unlocated case (no area yet) is seen by its units only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from linli.cases.models import CaseAssist
from linli.places.queries import ancestor_codes


@dataclass(frozen=True)
class CaseFacts:
    """What visibility depends on, as the event left the case."""

    unit_id: int | None
    area_code: str
    assist_unit_ids: frozenset[int] = frozenset()


def organizations_seeing_q(facts: CaseFacts, prefix: str = "organization", case_id: int | None = None) -> Q:
    """The rule as a filter, in one query: on rows with an organization (`prefix` leads to
    it), or on organizations themselves with prefix "". With `case_id`, the case's assisting
    units are looked up in the same query."""
    id_lookup = f"{prefix}_id" if prefix else "id"
    code_lookup = f"{prefix}__area__code" if prefix else "area__code"
    ids: set[int] = set(facts.assist_unit_ids)
    if facts.unit_id is not None:
        ids.add(facts.unit_id)
    condition = Q(**{f"{id_lookup}__in": sorted(ids)}) if ids else Q(pk__in=[])
    if case_id is not None:
        condition |= Q(**{f"{id_lookup}__in": CaseAssist.objects.filter(case_id=case_id).values("unit_id")})
    if facts.area_code:
        condition |= Q(**{f"{code_lookup}__in": ancestor_codes(facts.area_code)})
    return condition


def facts_of_message(payload: dict) -> CaseFacts:
    """The facts an outbox message recorded: the unit and area right after the event, and
    the unit an "assist" event adds (the others are looked up with `case_id`)."""
    assist = payload.get("assist_unit_id")
    return CaseFacts(
        unit_id=payload.get("unit_id"),
        area_code=payload.get("area_code") or "",
        assist_unit_ids=frozenset({assist} if assist else ()),
    )
