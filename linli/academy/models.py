"""The academy (学苑): training programs of an organization, with categories, subjects and planned
hours per tier, trainees by tier, class sessions on the enrolment engine, and the completion rule
of each tier. Every write goes through actions.py."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.enrolment.models import Session

from .choices import Tier

HOURS = {"max_digits": 6, "decimal_places": 2}


class Program(models.Model):
    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="programs",
                                     verbose_name=_("organizer"))
    title = models.CharField(_("title"), max_length=120)
    area = models.ForeignKey("places.Area", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("area served"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("training program")
        verbose_name_plural = _("training programs")
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="program_ends_after_start")]

    def __str__(self):
        return self.title


class SubjectCategory(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("name"), max_length=60)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("subject category")
        verbose_name_plural = _("subject categories")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["program", "name"], name="category_name_once")]

    def __str__(self):
        return self.name


class Subject(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="subjects")
    category = models.ForeignKey(SubjectCategory, on_delete=models.PROTECT, related_name="subjects",
                                 verbose_name=_("category"))
    name = models.CharField(_("name"), max_length=60)
    planned_hours = models.DecimalField(_("planned hours"), **HOURS)
    teacher = models.CharField(_("teacher"), max_length=60, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["program", "name"], name="subject_name_once")]

    def __str__(self):
        return self.name


class SubjectTier(models.Model):
    """A subject is meant for a tier, required or elective for it."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="tiers")
    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject", "tier"], name="subject_tier_once")]


class CompletionRule(models.Model):
    """A tier completes with every required subject attended and at least `min_hours` credited."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="rules")
    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices)
    min_hours = models.DecimalField(_("hours at least"), **HOURS)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["program", "tier"], name="completion_rule_once")]


class Trainee(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="trainees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="trainings",
                             verbose_name=_("trainee"))
    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices)
    community = models.ForeignKey("places.Area", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    enrolled_at = models.DateTimeField(_("enrolled at"))

    class Meta:
        verbose_name = _("trainee")
        verbose_name_plural = _("trainees")
        constraints = [models.UniqueConstraint(fields=["program", "user"], name="trainee_once_per_program")]


class ClassSession(Session):
    """A class of one subject: an enrolment session (time, venues with capacity, attendance) whose
    owner key is "academy.session:<id>"."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="sessions")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="sessions")

    class Meta:
        verbose_name = _("class session")
        verbose_name_plural = _("class sessions")
