from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Method(models.TextChoices):
    """How one criterion is scored (评分方式)."""

    POINTS = "points", _("Points")
    GRADE = "grade", _("Grade (A/B/C/C#)")
    CHECKBOX = "checkbox", _("Checkbox")


class Grade(models.TextChoices):
    """状态描述法 of civilization-city checklists: the share of the item's weight each grade earns."""

    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    C_SHARP = "C#", "C#"


GRADE_SHARE = {Grade.A: Decimal(1), Grade.B: Decimal("0.66"), Grade.C: Decimal("0.33"), Grade.C_SHARP: Decimal(0)}


class Aggregation(models.TextChoices):
    MEAN = "mean", _("Mean of the judges")
    TRIMMED_MEAN = "trimmed_mean", _("Mean without the highest and the lowest")
    Z_SCORE = "z_score", _("Normalised per judge (z-score)")


class TieRule(models.TextChoices):
    CRITERIA = "criteria", _("Ties broken by the criteria in order, then by presentation order")
    SHARED = "shared", _("Ties share a rank")


class TierKind(models.TextChoices):
    NONE = "none", _("No tiers")
    RANK = "rank", _("By rank, a count each")
    SCORE = "score", _("By score range")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Being set up")
    OPEN = "open", _("Scoring")
    FINALISED = "finalised", _("Results final")
    PUBLISHED = "published", _("Published")


class SheetStatus(models.TextChoices):
    DRAFT = "draft", _("Not submitted")
    SUBMITTED = "submitted", _("Submitted")


class EventAction(models.TextChoices):
    OPEN = "open", _("Opened for scoring")
    SUBMIT = "submit", _("Scores submitted")
    CORRECT = "correct", _("Score corrected")
    FINALISE = "finalise", _("Results finalised")
    PUBLISH = "publish", _("Results published")
