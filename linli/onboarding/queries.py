"""Reads of the “6个1” rounds: which an organizer sees, what a guide has to do, and how far each
new organization has come (a constant number of queries per round)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from linli.core.scoping import scope_for
from linli.orgs.models import Organization
from linli.scoring.models import Mark, ScoringRound, Sheet, Subject
from linli.scoring.queries import judge_subjects

from .steps import OWNER


def rounds_for(user):
    """The rounds of organizations in the person's scope, newest first."""
    organizations = scope_for(user, "scoring.organize").filter(Organization.objects.all(), area_path="area__path",
                                                               org_path="path")
    return (ScoringRound.objects.filter(owner__startswith=f"{OWNER}:", organization__in=organizations.values("pk"))
            .select_related("organization", "template").order_by("-created_at", "-id"))


def guided_subjects(user):
    """The new organizations this guide ticks steps for (never one of their own)."""
    return (judge_subjects(user).filter(round__owner__startswith=f"{OWNER}:")
            .select_related("round__organization", "organization").order_by("round_id", "order", "id"))


@dataclass
class Progress:
    subject: Subject
    done: list  # criterion ids ticked by a guide
    submitted: bool
    guides: list

    @property
    def count(self):
        return len(self.done)


def progress(scoring_round) -> list[Progress]:
    """Each new organization of the round with the steps done (ticked on any guide's sheet)."""
    sheets = Sheet.objects.select_related("judge").prefetch_related(
        Prefetch("marks", queryset=Mark.objects.filter(checked=True)))
    subjects = (scoring_round.subjects.select_related("organization").prefetch_related(Prefetch("sheets", sheets))
                .order_by("order", "id"))
    rows = []
    for subject in subjects:
        done, submitted, guides = set(), False, []
        for sheet in subject.sheets.all():
            done |= {mark.criterion_id for mark in sheet.marks.all()}
            submitted = submitted or sheet.status == "submitted"
            guides.append(sheet.judge)
        rows.append(Progress(subject, sorted(done), submitted, guides))
    return rows
