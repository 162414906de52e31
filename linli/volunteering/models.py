"""Volunteers, activities and service certificates (志愿服务). An activity is an enrolment session:
its venues, sign-ups (enrolments) and attendance are the enrolment engine's.

Teams are orgs.Organization(kind="volunteer_team"); their leaders hold
Role.VOLUNTEER_TEAM_LEADER on the organization. Every write goes through actions.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import Certificate
from linli.core.privacy import mask_name
from linli.enrolment.models import Attendance, Enrolment, Session, Venue  # noqa: F401 — an activity's parts

from . import idnumbers
from .choices import (
    Education,
    Gender,
    IdType,
    PoliticalStatus,
    ServiceArea,
)


class Volunteer(models.Model):
    """A registered volunteer, with the fields of the national volunteer record."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="volunteer", verbose_name=_("person")
    )
    # The public identifier: "V" + area code + sequence, never the ID number.
    number = models.CharField(_("volunteer number"), max_length=24, unique=True)
    area = models.ForeignKey("places.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    id_type = models.CharField(_("ID type"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number = models.CharField(_("ID number"), max_length=32)
    birth_date = models.DateField(_("date of birth"))
    phone = models.CharField(_("mobile number"), max_length=11)
    political_status = models.CharField(
        _("political status"), max_length=16, choices=PoliticalStatus.choices, default=PoliticalStatus.MASSES
    )
    education = models.CharField(_("education"), max_length=16, choices=Education.choices, blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    service_areas = models.JSONField(_("service areas"), default=list, blank=True)
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        constraints = [models.UniqueConstraint(fields=["id_type", "id_number"], name="volunteer_unique_id")]

    def __str__(self):
        return f"{self.name} · {self.number}"

    @property
    def masked_id_number(self):
        return idnumbers.mask(self.id_number)

    @property
    def masked_name(self):
        return mask_name(self.name)


class Activity(Session):
    """A volunteer activity: an enrolment session (title, times, sign-up window, venues, sign-ups,
    attendance) with what volunteering adds. Its session's owner key is "volunteering.activity:<id>"."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="activities", verbose_name=_("organizer")
    )
    service_area = models.CharField(_("type"), max_length=16, choices=ServiceArea.choices)
    description = models.TextField(_("description"), blank=True)
    area = models.ForeignKey("places.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    place = models.CharField(_("place"), max_length=200)
    required_skills = models.JSONField(_("required skills"), default=list, blank=True)
    points_per_hour = models.PositiveIntegerField(_("points per verified hour"), default=10)
    is_published = models.BooleanField(_("published"), default=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self):
        return self.title


class ServiceCertificate(Certificate):
    """志愿服务记录证明: a volunteer's leader-verified hours with one organization over a period.

    A core certificate (number, QR token, issued / revoked) with what it certifies: a snapshot
    (`hours`, `entries`) taken when issued, so the document and its check page keep saying the
    same thing."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("volunteer")
    )
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="service_certificates",
        verbose_name=_("issuing organization"),
    )
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    hours = models.DecimalField(_("verified hours"), max_digits=8, decimal_places=2)
    # [{"date": "2026-03-05", "title": ..., "hours": "2.50"}, ...] oldest first, from the approved attendances.
    entries = models.JSONField(_("service content"), default=list)

    class Meta:
        verbose_name = _("volunteer service certificate")
        verbose_name_plural = _("volunteer service certificates")
        ordering = ["-issued_at", "-certificate_ptr"]
        constraints = [
            models.CheckConstraint(condition=Q(date_to__gte=models.F("date_from")), name="service_certificate_period")
        ]
