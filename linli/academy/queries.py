"""Reads of the academy: hours credited per trainee and subject, who completes under their tier's
rule and why not, and the gaps per community and tier. A constant number of queries per program."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from linli.enrolment.choices import HoursStatus, Presence
from linli.enrolment.models import Attendance

from .models import CompletionRule, Subject, SubjectTier, Trainee

CREDITED = (Presence.PRESENT, Presence.LATE)


def credited_hours(program) -> dict[tuple[int, int], Decimal]:
    """{(user id, subject id): hours} from attendance present or late whose hours were not rejected."""
    rows = (Attendance.objects.filter(enrolment__session__classsession__program=program, presence__in=CREDITED)
            .exclude(status=HoursStatus.REJECTED)
            .values("enrolment__user", "enrolment__session__classsession__subject").annotate(hours=Sum("hours")))
    return {(r["enrolment__user"], r["enrolment__session__classsession__subject"]): r["hours"] for r in rows}


@dataclass
class Standing:
    trainee: Trainee
    hours: Decimal
    min_hours: Decimal
    missing: list = field(default_factory=list)  # required subjects not attended

    @property
    def completes(self) -> bool:
        return not self.missing and self.hours >= self.min_hours


def standings(program) -> list[Standing]:
    hours = credited_hours(program)
    rules = dict(CompletionRule.objects.filter(program=program).values_list("tier", "min_hours"))
    required = defaultdict(list)
    names = dict(Subject.objects.filter(program=program).values_list("pk", "name"))
    for subject_id, tier in SubjectTier.objects.filter(subject__program=program, required=True).order_by(
            "subject__order", "subject_id").values_list("subject_id", "tier"):
        required[tier].append(subject_id)
    result = []
    for trainee in Trainee.objects.filter(program=program).select_related("user", "community").order_by("id"):
        total = sum((h for (user, _s), h in hours.items() if user == trainee.user_id), Decimal(0))
        missing = [names[s] for s in required[trainee.tier] if not hours.get((trainee.user_id, s))]
        result.append(Standing(trainee, total, rules.get(trainee.tier, Decimal(0)), missing))
    return result


@dataclass
class Gap:
    community: object
    tier: str
    trainees: int
    not_completing: int
    missing: dict  # subject name → how many lack it


def gaps(program) -> list[Gap]:
    """Per community and tier: how many will not complete, and which required subjects they lack
    ("网格员 of 坑内社区: 3 of 15 missing 危机应对")."""
    groups = {}
    for standing in standings(program):
        key = (standing.trainee.community_id, standing.trainee.tier)
        gap = groups.setdefault(key, Gap(standing.trainee.community, standing.trainee.tier, 0, 0, defaultdict(int)))
        gap.trainees += 1
        if not standing.completes:
            gap.not_completing += 1
        for name in standing.missing:
            gap.missing[name] += 1
    return sorted((g for g in groups.values() if g.not_completing),
                  key=lambda g: (g.community.path, list(dict.fromkeys(["head", "deputy", "member", "grid_worker"]))
                                 .index(g.tier)))
