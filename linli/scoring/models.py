"""The scoring engine's data: what is scored (a template of weighted criteria, its tiers), a round
of scoring (subjects, panels of judges, one sheet per judge and subject, a mark per criterion), the
results when finalised, and the round's timeline.

A round belongs to its owner by key ("academy.showcase:3", "orgs.onboarding:12"): the engine never
imports the app that owns it. Owners read results and listen to `scoring.<action>` messages.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import TimelineEvent, event_action_field, event_status_field

from .choices import Aggregation, EventAction, Grade, Method, RoundStatus, SheetStatus, TierKind, TieRule

SCORE = {"max_digits": 9, "decimal_places": 4}


class ScoringTemplate(models.Model):
    """评分模板: weighted criteria, how the judges' sheets are combined, how ties and tiers fall."""

    name = models.CharField(_("name"), max_length=120)
    aggregation = models.CharField(_("aggregation"), max_length=16, choices=Aggregation.choices,
                                   default=Aggregation.MEAN)
    tie_rule = models.CharField(_("tie rule"), max_length=16, choices=TieRule.choices, default=TieRule.CRITERIA)
    tier_kind = models.CharField(_("tiers"), max_length=8, choices=TierKind.choices, default=TierKind.NONE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("scoring template")
        verbose_name_plural = _("scoring templates")

    def __str__(self):
        return self.name


class Criterion(models.Model):
    """指标: one item of a template. Its `weight` is what a full mark adds to a sheet's total."""

    template = models.ForeignKey(ScoringTemplate, on_delete=models.CASCADE, related_name="criteria",
                                 verbose_name=_("template"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    method = models.CharField(_("scored as"), max_length=8, choices=Method.choices)
    weight = models.DecimalField(_("weight"), max_digits=7, decimal_places=2, validators=[MinValueValidator(0)])
    max_points = models.DecimalField(_("highest points"), max_digits=7, decimal_places=2, null=True, blank=True)
    evidence_required = models.BooleanField(_("evidence required"), default=False)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(method=Method.POINTS) | Q(max_points__gt=0),
                                   name="criterion_points_have_max"),
        ]

    def __str__(self):
        return self.name


class Tier(models.Model):
    """奖项档次 / 星级: by rank (`count` places each, in order) or by score (`min_score` and up)."""

    template = models.ForeignKey(ScoringTemplate, on_delete=models.CASCADE, related_name="tiers",
                                 verbose_name=_("template"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=60)
    count = models.PositiveIntegerField(_("places"), null=True, blank=True)
    min_score = models.DecimalField(_("lowest score"), **SCORE, null=True, blank=True)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class ScoringRound(models.Model):
    """One round of scoring with a template: its subjects, panels, sheets and results."""

    template = models.ForeignKey(ScoringTemplate, on_delete=models.PROTECT, related_name="rounds",
                                 verbose_name=_("template"))
    owner = models.CharField(_("owner"), max_length=80, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="scoring_rounds",
                                     verbose_name=_("organizer"))
    status = models.CharField(_("status"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scoring round")
        verbose_name_plural = _("scoring rounds")

    def __str__(self):
        return self.title


class Panel(models.Model):
    """评审组: the judges (or inspectors) who score the subjects put before it."""

    round = models.ForeignKey(ScoringRound, on_delete=models.CASCADE, related_name="panels", verbose_name=_("round"))
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("panel")
        verbose_name_plural = _("panels")

    def __str__(self):
        return self.name


class Judge(models.Model):
    """A person on a panel. `organization` is the unit they declare (besides their memberships and
    roles): none of them may score a subject of it."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="judges", verbose_name=_("panel"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="judging",
                             verbose_name=_("person"))
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("their unit"))

    class Meta:
        verbose_name = _("judge")
        verbose_name_plural = _("judges")
        constraints = [models.UniqueConstraint(fields=["panel", "user"], name="judge_once_per_panel")]


class Subject(models.Model):
    """What is scored: an entry, a presenter, a station, a new federation (named by its owner's key)."""

    round = models.ForeignKey(ScoringRound, on_delete=models.CASCADE, related_name="subjects",
                              verbose_name=_("round"))
    key = models.CharField(_("key"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("organization"))
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, null=True, blank=True, related_name="subjects",
                              verbose_name=_("panel"))
    order = models.PositiveIntegerField(_("presentation order"), default=0)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "key"], name="subject_key_once_per_round")]

    def __str__(self):
        return self.title


class Sheet(models.Model):
    """One judge's marks for one subject; locked when submitted (changed only by a correction)."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="sheets", verbose_name=_("subject"))
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("judge"))
    status = models.CharField(_("status"), max_length=10, choices=SheetStatus.choices, default=SheetStatus.DRAFT)
    total = models.DecimalField(_("total"), **SCORE, null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        constraints = [models.UniqueConstraint(fields=["subject", "judge"], name="sheet_once_per_judge")]


class Mark(models.Model):
    """The value given for one criterion on a sheet: points, a grade, or a tick."""

    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="marks", verbose_name=_("sheet"))
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("criterion"))
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=2, choices=Grade.choices, blank=True)
    checked = models.BooleanField(_("done"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        constraints = [models.UniqueConstraint(fields=["sheet", "criterion"], name="mark_once_per_criterion")]


class Evidence(models.Model):
    """A photo proving a ticked item (re-encoded by core.media, no metadata)."""

    mark = models.ForeignKey(Mark, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("mark"))
    image = models.ImageField(_("photo"), upload_to="scoring/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="scoring/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")


class Result(models.Model):
    """A subject's standing, written when the round is finalised."""

    round = models.ForeignKey(ScoringRound, on_delete=models.CASCADE, related_name="results", verbose_name=_("round"))
    subject = models.OneToOneField(Subject, on_delete=models.CASCADE, related_name="result",
                                   verbose_name=_("subject"))
    sheets = models.PositiveSmallIntegerField(_("sheets"))
    raw_mean = models.DecimalField(_("mean"), **SCORE)
    trimmed_mean = models.DecimalField(_("trimmed mean"), **SCORE)
    normalised = models.DecimalField(_("normalised"), **SCORE)
    final = models.DecimalField(_("final score"), **SCORE)
    rank = models.PositiveIntegerField(_("rank"))
    tier = models.CharField(_("tier"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["rank", "subject__order", "pk"]


class ScoringEvent(TimelineEvent):
    round = models.ForeignKey(ScoringRound, on_delete=models.CASCADE, related_name="events", verbose_name=_("round"))
    action = event_action_field(EventAction)
    from_status = event_status_field(RoundStatus, _("from status"))
    to_status = event_status_field(RoundStatus, _("to status"))

    class Meta:
        verbose_name = _("scoring event")
        verbose_name_plural = _("scoring events")
        ordering = ["created_at", "pk"]
