"""Reads: what a judge may score (never a subject of their own organization), what a sheet holds,
and the standings a round's sheets give (before or after it is finalised)."""

from __future__ import annotations

from django.db.models import Prefetch

from linli.accounts.models import RoleAssignment
from linli.orgs.models import Membership

from . import compute
from .choices import Method, SheetStatus, TierKind
from .models import Judge, Mark, Sheet, Subject


def own_organizations(user, declared=()) -> set[int]:
    """The organizations a person belongs to (active memberships, roles held on them) and the units
    they declared as judges: the conflict-of-interest set."""
    ids = set(Membership.objects.active().filter(user=user).values_list("organization_id", flat=True))
    ids |= set(RoleAssignment.objects.filter(user=user, organization__isnull=False)
               .values_list("organization_id", flat=True))
    return ids | {pk for pk in declared if pk}


def judge_subjects(user, scoring_round=None):
    """Subjects the user judges: on a panel they sit on, minus those of their own organizations."""
    seats = Judge.objects.filter(user=user)
    if scoring_round is not None:
        seats = seats.filter(panel__round=scoring_round)
    seats = list(seats.values_list("panel_id", "organization_id"))
    if not seats:
        return Subject.objects.none()
    conflicted = own_organizations(user, [organization for _panel, organization in seats])
    return (Subject.objects.filter(panel_id__in=[panel for panel, _organization in seats])
            .exclude(organization_id__in=conflicted).select_related("round__template", "panel"))


def expected_judges(subject) -> set[int]:
    """User ids of the judges who should score this subject (its panel, minus the conflicted)."""
    from linli.accounts.models import User

    expected = set()
    for user_id, declared in Judge.objects.filter(panel_id=subject.panel_id).values_list("user_id", "organization_id"):
        if subject.organization_id is None or subject.organization_id not in own_organizations(User(pk=user_id),
                                                                                               [declared]):
            expected.add(user_id)
    return expected


def sheet_share_items(sheet, criteria):
    marks = {mark.criterion_id: mark for mark in sheet.marks.all()}
    items = []
    for criterion in criteria:
        mark = marks.get(criterion.pk)
        portion = compute.share(criterion.method, points=mark and mark.points, grade=mark.grade if mark else "",
                                checked=mark and mark.checked, max_points=criterion.max_points) \
            if mark and _is_marked(criterion, mark) else 0
        items.append((criterion.weight, portion))
    return items


def _is_marked(criterion, mark) -> bool:
    if criterion.method == Method.POINTS:
        return mark.points is not None
    if criterion.method == Method.GRADE:
        return bool(mark.grade)
    return mark.checked is not None


def standings(scoring_round):
    """Each subject's figures from the submitted sheets: [(subject, figures)], in rank order, where
    figures = {"sheets", "raw_mean", "trimmed_mean", "normalised", "final", "rank", "tier"}."""
    template = scoring_round.template
    criteria = list(template.criteria.all())
    subjects = list(scoring_round.subjects.prefetch_related(
        Prefetch("sheets", queryset=Sheet.objects.filter(status=SheetStatus.SUBMITTED)
                 .prefetch_related(Prefetch("marks", queryset=Mark.objects.all())))))
    rows, all_sheets = {}, []
    for subject in subjects:
        sheets = list(subject.sheets.all())
        totals = [sheet.total for sheet in sheets]
        contributions = [[weight * portion for weight, portion in sheet_share_items(sheet, criteria)]
                         for sheet in sheets]
        per_criterion = [compute.mean(column) for column in zip(*contributions, strict=True)] if sheets else []
        rows[subject.pk] = {"subject": subject, "sheets": len(sheets), "raw_mean": compute.mean(totals),
                            "trimmed_mean": compute.trimmed_mean(totals), "by_criterion": per_criterion}
        all_sheets += [(sheet.judge_id, subject.pk, sheet.total) for sheet in sheets]
    normal = compute.normalised(all_sheets)
    pick = {"mean": "raw_mean", "trimmed_mean": "trimmed_mean", "z_score": "normalised"}[template.aggregation]
    for pk, row in rows.items():
        row["normalised"] = normal.get(pk, row["raw_mean"])
        row["final"] = row[pick]
    ranked = compute.rank([compute.Standing(pk, row["final"], row["by_criterion"], row["subject"].order)
                           for pk, row in rows.items()], template.tie_rule)
    tiers = list(template.tiers.all())
    if template.tier_kind == TierKind.RANK:
        named = compute.tiers_by_rank(ranked, [(t.name, t.count) for t in tiers])
    for standing, place in ranked:
        row = rows[standing.key]
        row["rank"] = place
        if template.tier_kind == TierKind.RANK:
            row["tier"] = named[standing.key]
        elif template.tier_kind == TierKind.SCORE:
            row["tier"] = compute.tier_by_score(row["final"], [(t.name, t.min_score) for t in tiers])
        else:
            row["tier"] = ""
    return [(rows[s.key]["subject"], rows[s.key]) for s, _place in ranked]
