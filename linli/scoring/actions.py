"""Every write of the scoring engine. `check_*` validates the input and who may act, then calls
`do_*`, which locks what it changes and appends the round's timeline event and its outbox message
`scoring.<action>` ({"round", "owner", …}: the owner app acts on them, e.g. issues award certificates
when results are published).

Organizers (owners.can_organize) set a round up, open it, correct a submitted mark (with a reason,
recorded), finalise and publish. Judges mark the subjects before their panel, except those of their
own organizations (404, as if absent), and submit; a submitted sheet is locked.

    check_create_template(name, criteria, *, aggregation, tie_rule, tier_kind, tiers)   (set up by owner apps)
    check_create_round(actor, template, organization, title, owner)
    check_add_panel(actor, round, name, judges=[(user, organization | None)])
    check_add_subject(actor, round, key, title, organization=None, panel=None, order=0)
    check_open(actor, round)                       draft → open
    check_mark(judge, subject, values, notes={})   values: {criterion id: points | grade | bool}
    check_add_evidence(judge, subject, criterion, file)
    check_submit(judge, subject)                   all criteria marked, evidence where required; locks
    check_correct(actor, sheet, criterion, value, reason)
    check_finalise(actor, round)                   every expected sheet in; Result rows written
    check_publish(actor, round)                    finalised → published
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import media, workflow
from linli.core.errors import ActionError

from . import compute, owners, queries
from .choices import Aggregation, EventAction, Grade, Method, RoundStatus, SheetStatus, TierKind, TieRule
from .models import (
    Criterion,
    Evidence,
    Judge,
    Mark,
    Panel,
    Result,
    ScoringEvent,
    ScoringRound,
    ScoringTemplate,
    Sheet,
    Subject,
    Tier,
)

NAME_MAX_LENGTH = 200
NOTE_MAX_LENGTH = 500
EVIDENCE_RULE = media.MediaRule(max_count=6, max_bytes=15 * 1024 * 1024)


class ScoringError(ActionError):
    pass


def _payload(scoring_round, action, actor, from_status, **extra):
    return {"round": scoring_round.pk, "owner": scoring_round.owner, "action": action,
            "actor": actor.pk if actor else None, **extra}


TIMELINE = workflow.Timeline(event_model=ScoringEvent, owner="round", topic_prefix="scoring", payload=_payload)


def _text(value, field, max_length=NAME_MAX_LENGTH, required=True):
    return workflow.clean_text(value, field=field, max_length=max_length, error=ScoringError, required=required)


def _decimal(value, field) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ScoringError("invalid", _("Enter a number."), field=field) from None
    if not number.is_finite() or abs(number) >= Decimal("100000"):
        raise ScoringError("invalid", _("Enter a number."), field=field)
    return number


def _plain(number: Decimal) -> str:
    """8.00 → "8", 7.50 → "7.5"."""
    return f"{number.normalize():f}"


def _require_organizer(actor, scoring_round):
    if not owners.can_organize(actor, scoring_round):
        raise Http404


def _lock_round(scoring_round, statuses):
    locked = ScoringRound.objects.select_for_update().select_related("template").get(pk=scoring_round.pk)
    if locked.status not in statuses:
        raise ScoringError("wrong_status", _("This cannot be done while the round is “%(status)s”.")
                           % {"status": locked.get_status_display()})
    return locked


# -- templates --------------------------------------------------------------------------------


def check_create_template(name, criteria, *, aggregation=Aggregation.MEAN, tie_rule=TieRule.CRITERIA,
                          tier_kind=TierKind.NONE, tiers=()) -> ScoringTemplate:
    """criteria: [{"name", "method", "weight", "max_points"?, "evidence_required"?, "description"?}];
    tiers: [{"name", "count"}] (by rank) or [{"name", "min_score"}] (by score)."""
    name = _text(name, "name")
    if aggregation not in Aggregation.values:
        raise ScoringError("invalid", _("Choose one of the offered values."), field="aggregation")
    if tie_rule not in TieRule.values:
        raise ScoringError("invalid", _("Choose one of the offered values."), field="tie_rule")
    if tier_kind not in TierKind.values:
        raise ScoringError("invalid", _("Choose one of the offered values."), field="tier_kind")
    if not criteria:
        raise ScoringError("no_criteria", _("Add at least one criterion."), field="criteria")
    cleaned = []
    for item in criteria:
        method = item.get("method")
        if method not in Method.values:
            raise ScoringError("invalid", _("Choose one of the offered values."), field="method")
        weight = _decimal(item.get("weight"), "weight")
        max_points = _decimal(item["max_points"], "max_points") if method == Method.POINTS else None
        if weight < 0 or (max_points is not None and max_points <= 0):
            raise ScoringError("invalid", _("Enter a number above zero."), field="weight")
        cleaned.append({"name": _text(item.get("name"), "name"), "method": method, "weight": weight,
                        "max_points": max_points, "evidence_required": bool(item.get("evidence_required")),
                        "description": _text(item.get("description", ""), "description", 2000, required=False)})
    cleaned_tiers = []
    for tier in tiers:
        if tier_kind == TierKind.RANK:
            count = tier.get("count")
            if not isinstance(count, int) or count < 1:
                raise ScoringError("invalid", _("Each tier needs a number of places."), field="tiers")
            cleaned_tiers.append({"name": _text(tier.get("name"), "tiers", 60), "count": count})
        elif tier_kind == TierKind.SCORE:
            cleaned_tiers.append({"name": _text(tier.get("name"), "tiers", 60),
                                  "min_score": _decimal(tier.get("min_score"), "tiers")})
    return do_create_template(name, cleaned, aggregation, tie_rule, tier_kind, cleaned_tiers)


@transaction.atomic
def do_create_template(name, criteria, aggregation, tie_rule, tier_kind, tiers) -> ScoringTemplate:
    template = ScoringTemplate.objects.create(name=name, aggregation=aggregation, tie_rule=tie_rule,
                                              tier_kind=tier_kind)
    Criterion.objects.bulk_create([Criterion(template=template, order=n, **item) for n, item in enumerate(criteria)])
    Tier.objects.bulk_create([Tier(template=template, order=n, **item) for n, item in enumerate(tiers)])
    return template


# -- setting a round up -----------------------------------------------------------------------


def check_create_round(actor, template, organization, title, owner) -> ScoringRound:
    scoring_round = ScoringRound(template=template, organization=organization, title=_text(title, "title"),
                                 owner=_text(owner, "owner", 80))
    _require_organizer(actor, scoring_round)
    scoring_round.save()
    return scoring_round


def check_add_panel(actor, scoring_round, name, judges=()) -> Panel:
    _require_organizer(actor, scoring_round)
    name = _text(name, "name", 120)
    people = {}
    for user, organization in judges:
        if not user.is_active:
            raise ScoringError("invalid", _("This account is disabled."), field="judges")
        people[user.pk] = (user, organization)
    with transaction.atomic():
        _lock_round(scoring_round, (RoundStatus.DRAFT, RoundStatus.OPEN))
        panel = Panel.objects.create(round=scoring_round, name=name)
        Judge.objects.bulk_create([Judge(panel=panel, user=user, organization=organization)
                                   for user, organization in people.values()])
    return panel


def check_add_subject(actor, scoring_round, key, title, organization=None, panel=None, order=0) -> Subject:
    _require_organizer(actor, scoring_round)
    if panel is not None and panel.round_id != scoring_round.pk:
        raise Http404
    key, title = _text(key, "key", 80), _text(title, "title")
    with transaction.atomic():
        _lock_round(scoring_round, (RoundStatus.DRAFT,))
        if Subject.objects.filter(round=scoring_round, key=key).exists():
            raise ScoringError("duplicate", _("This subject is already in the round."), field="key")
        return Subject.objects.create(round=scoring_round, key=key, title=title, organization=organization,
                                      panel=panel, order=order)


def check_open(actor, scoring_round) -> ScoringRound:
    _require_organizer(actor, scoring_round)
    subjects = Subject.objects.filter(round=scoring_round)
    if not subjects.exists():
        raise ScoringError("no_subjects", _("Add what is to be scored first."))
    if subjects.filter(panel__isnull=True).exists():
        raise ScoringError("no_panel", _("Put every subject before a panel first."))
    for subject in subjects:
        if not queries.expected_judges(subject):
            raise ScoringError("no_judge", _("No judge may score “%(subject)s”: every judge of its panel is "
                                             "of its own organization.") % {"subject": subject.title})
    return _transition(actor, scoring_round, (RoundStatus.DRAFT,), RoundStatus.OPEN, EventAction.OPEN)


def _transition(actor, scoring_round, sources, target, action, **changes):
    with transaction.atomic():
        locked = _lock_round(scoring_round, sources)
        from_status = locked.status
        locked.status = target
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save(update_fields=["status", *changes])
        TIMELINE.record(locked, actor, action, from_status)
    scoring_round.status = target
    for name, value in changes.items():
        setattr(scoring_round, name, value)
    return scoring_round


# -- judging ----------------------------------------------------------------------------------


def _judged_subject(judge, subject) -> Subject:
    """The subject if this person judges it (404 otherwise: not on its panel, or conflicted)."""
    found = queries.judge_subjects(judge).filter(pk=subject.pk).first()
    if found is None:
        raise Http404
    return found


def _clean_value(criterion, value):
    """{"points" | "grade" | "checked": value} for a criterion, or a field error."""
    field = f"criterion_{criterion.pk}"
    if criterion.method == Method.POINTS:
        points = _decimal(value, field)
        if points < 0 or points > criterion.max_points:
            raise ScoringError("out_of_range", _("Give between 0 and %(max)s points.")
                               % {"max": _plain(criterion.max_points)}, field=field)
        return {"points": points}
    if criterion.method == Method.GRADE:
        if value not in Grade.values:
            raise ScoringError("invalid", _("Choose A, B, C or C#."), field=field)
        return {"grade": value}
    if isinstance(value, str):
        value = value.strip().lower() in ("1", "true", "on", "yes")
    return {"checked": bool(value)}


def check_mark(judge, subject, values: dict, notes: dict | None = None) -> Sheet:
    subject = _judged_subject(judge, subject)
    criteria = {c.pk: c for c in subject.round.template.criteria.all()}
    cleaned = {}
    for raw_id, value in values.items():
        criterion = criteria.get(_criterion_id(raw_id))
        if criterion is None:
            raise ScoringError("invalid", _("This criterion is not in the template."), field="criterion")
        cleaned[criterion.pk] = _clean_value(criterion, value)
    clean_notes = {}
    for raw_id, note in (notes or {}).items():
        criterion_id = _criterion_id(raw_id)
        if criterion_id not in criteria:
            raise ScoringError("invalid", _("This criterion is not in the template."), field="criterion")
        clean_notes[criterion_id] = _text(note, "note", NOTE_MAX_LENGTH, required=False)
    return do_mark(judge, subject, cleaned, clean_notes)


def _criterion_id(raw) -> int | None:
    from linli.core.ids import parse_id

    return parse_id(raw)


@transaction.atomic
def do_mark(judge, subject, values, notes) -> Sheet:
    _lock_round(subject.round, (RoundStatus.OPEN,))
    sheet, _created = Sheet.objects.select_for_update().get_or_create(subject=subject, judge=judge)
    if sheet.status == SheetStatus.SUBMITTED:
        raise ScoringError("submitted", _("These scores are submitted and locked."))
    for criterion_id in set(values) | set(notes):
        fields = dict(values.get(criterion_id, {}))
        if criterion_id in notes:
            fields["note"] = notes[criterion_id]
        Mark.objects.update_or_create(sheet=sheet, criterion_id=criterion_id, defaults=fields)
    return sheet


def check_add_evidence(judge, subject, criterion, uploaded_file) -> Evidence:
    subject = _judged_subject(judge, subject)
    if criterion.template_id != subject.round.template_id or criterion.method != Method.CHECKBOX:
        raise ScoringError("invalid", _("Evidence goes with a checkbox item."), field="criterion")
    try:
        processed = media.process_image(uploaded_file, EVIDENCE_RULE)
    except media.MediaError as error:
        raise ScoringError(error.code, error.message, field="evidence") from None
    with transaction.atomic():
        sheet = do_mark(judge, subject, {}, {})
        mark, _created = Mark.objects.get_or_create(sheet=sheet, criterion=criterion)
        if mark.evidence.count() >= EVIDENCE_RULE.max_count:
            raise ScoringError("too_many", _("At most %(max)d photos per item.") % {"max": EVIDENCE_RULE.max_count},
                               field="evidence")
        evidence = Evidence(mark=mark, width=processed.width, height=processed.height)
        evidence.image.save(processed.image.name, processed.image, save=False)
        evidence.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
        evidence.save()
    return evidence


def check_submit(judge, subject) -> Sheet:
    subject = _judged_subject(judge, subject)
    sheet = Sheet.objects.filter(subject=subject, judge=judge).first()
    criteria = list(subject.round.template.criteria.all())
    marks = {m.criterion_id: m for m in sheet.marks.prefetch_related("evidence")} if sheet else {}
    for criterion in criteria:
        mark = marks.get(criterion.pk)
        if mark is None or not queries._is_marked(criterion, mark):
            raise ScoringError("incomplete", _("Score “%(item)s” first.") % {"item": criterion.name},
                               field=f"criterion_{criterion.pk}")
        if criterion.evidence_required and mark.checked and not mark.evidence.all():
            raise ScoringError("evidence_required", _("Add a photo as evidence for “%(item)s”.")
                               % {"item": criterion.name}, field=f"criterion_{criterion.pk}")
    return do_submit(judge, sheet, criteria)


@transaction.atomic
def do_submit(judge, sheet, criteria) -> Sheet:
    scoring_round = _lock_round(sheet.subject.round, (RoundStatus.OPEN,))
    locked = Sheet.objects.select_for_update().get(pk=sheet.pk)
    if locked.status == SheetStatus.SUBMITTED:
        return locked  # submitted twice (a double tap): once is enough
    locked.total = compute.sheet_total(queries.sheet_share_items(locked, criteria))
    locked.status, locked.submitted_at = SheetStatus.SUBMITTED, timezone.now()
    locked.save(update_fields=["total", "status", "submitted_at"])
    TIMELINE.record(scoring_round, judge, EventAction.SUBMIT, scoring_round.status,
                    data={"subject": locked.subject_id, "sheet": locked.pk, "total": str(locked.total)})
    return locked


def check_correct(actor, sheet, criterion, value, reason) -> Sheet:
    """An organizer changes a submitted mark; the old and new values and the reason are recorded."""
    scoring_round = sheet.subject.round
    _require_organizer(actor, scoring_round)
    if criterion.template_id != scoring_round.template_id:
        raise Http404
    if sheet.status != SheetStatus.SUBMITTED:
        raise ScoringError("not_submitted", _("Only submitted scores are corrected; the judge can still change "
                                              "these."))
    reason = _text(reason, "reason", NOTE_MAX_LENGTH)
    return do_correct(actor, sheet, criterion, _clean_value(criterion, value), reason)


def _shown(mark) -> str:
    if mark is None:
        return ""
    if mark.points is not None:
        return _plain(mark.points)
    return mark.grade or ("✓" if mark.checked else "✗" if mark.checked is False else "")


@transaction.atomic
def do_correct(actor, sheet, criterion, fields, reason) -> Sheet:
    scoring_round = _lock_round(sheet.subject.round, (RoundStatus.OPEN,))
    locked = Sheet.objects.select_for_update().get(pk=sheet.pk)
    mark = Mark.objects.filter(sheet=locked, criterion=criterion).first()
    before = _shown(mark)
    mark, _created = Mark.objects.update_or_create(sheet=locked, criterion=criterion, defaults=fields)
    old_total = locked.total
    locked.total = compute.sheet_total(queries.sheet_share_items(locked, list(scoring_round.template.criteria.all())))
    locked.save(update_fields=["total"])
    TIMELINE.record(scoring_round, actor, EventAction.CORRECT, scoring_round.status, note=reason, data={
        "subject": locked.subject_id, "sheet": locked.pk, "judge": locked.judge_id, "criterion": criterion.pk,
        "from": before, "to": _shown(mark), "total_from": str(old_total), "total_to": str(locked.total)})
    return locked


# -- results ----------------------------------------------------------------------------------


def check_finalise(actor, scoring_round) -> ScoringRound:
    _require_organizer(actor, scoring_round)
    missing = 0
    for subject in Subject.objects.filter(round=scoring_round):
        submitted = set(subject.sheets.filter(status=SheetStatus.SUBMITTED).values_list("judge_id", flat=True))
        missing += len(queries.expected_judges(subject) - submitted)
    if missing:
        raise ScoringError("sheets_missing", _("%(count)d score sheets are not submitted yet.") % {"count": missing})
    return do_finalise(actor, scoring_round)


@transaction.atomic
def do_finalise(actor, scoring_round) -> ScoringRound:
    locked = _lock_round(scoring_round, (RoundStatus.OPEN,))
    standings = queries.standings(locked)
    Result.objects.filter(round=locked).delete()
    Result.objects.bulk_create([
        Result(round=locked, subject=subject, sheets=row["sheets"], raw_mean=row["raw_mean"],
               trimmed_mean=row["trimmed_mean"], normalised=row["normalised"], final=row["final"],
               rank=row["rank"], tier=row["tier"])
        for subject, row in standings
    ])
    return _transition(actor, scoring_round, (RoundStatus.OPEN,), RoundStatus.FINALISED, EventAction.FINALISE,
                       finalised_at=timezone.now())


def check_publish(actor, scoring_round) -> ScoringRound:
    _require_organizer(actor, scoring_round)
    return _transition(actor, scoring_round, (RoundStatus.FINALISED,), RoundStatus.PUBLISHED, EventAction.PUBLISH,
                       published_at=timezone.now())
