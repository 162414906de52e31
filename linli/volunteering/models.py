"""Volunteers, team membership, activities with venues, sign-ups and attendance (志愿服务).

Teams are orgs.Organization(kind="volunteer_team"); their leaders hold
Role.VOLUNTEER_TEAM_LEADER on the organization. Every write goes through actions.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import Certificate
from linli.core.privacy import mask_name

from . import idnumbers
from .choices import (
    ActivityStatus,
    AttendanceMethod,
    Education,
    Gender,
    HoursStatus,
    IdType,
    PoliticalStatus,
    ServiceArea,
    SignupStatus,
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


class Activity(models.Model):
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="activities", verbose_name=_("organizer")
    )
    title = models.CharField(_("title"), max_length=120)
    service_area = models.CharField(_("type"), max_length=16, choices=ServiceArea.choices)
    description = models.TextField(_("description"), blank=True)
    area = models.ForeignKey("places.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    place = models.CharField(_("place"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    signup_opens_at = models.DateTimeField(_("sign-up opens"))
    signup_closes_at = models.DateTimeField(_("sign-up closes"))
    required_skills = models.JSONField(_("required skills"), default=list, blank=True)
    points_per_hour = models.PositiveIntegerField(_("points per verified hour"), default=10)
    is_published = models.BooleanField(_("published"), default=True)
    status = models.CharField(_("status"), max_length=12, choices=ActivityStatus.choices,
                              default=ActivityStatus.SCHEDULED)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    # Sign-ups cancelled with the activity carry this same time (how "my sign-ups" tells them apart).
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after_start")]

    def __str__(self):
        return self.title


class Venue(models.Model):
    """The main venue (主会场) or a branch venue (分会场), each with its own capacity and QR code."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="venues")
    name = models.CharField(_("venue"), max_length=120)
    is_main = models.BooleanField(_("main venue"), default=False)
    capacity = models.PositiveIntegerField(_("capacity"))
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    # Check-in only within this many metres of (lat, lng); empty: anywhere.
    geofence_m = models.PositiveIntegerField(_("check-in radius (m)"), null=True, blank=True)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["-is_main", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity"], condition=Q(is_main=True), name="venue_one_main")
        ]

    def __str__(self):
        return self.name


class Signup(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups", verbose_name=_("activity"))
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="signups", verbose_name=_("venue"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="activity_signups", verbose_name=_("volunteer")
    )
    status = models.CharField(_("status"), max_length=12, choices=SignupStatus.choices)
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user"], condition=~Q(status=SignupStatus.CANCELLED), name="signup_one_live_per_person"
            )
        ]
        indexes = [models.Index(fields=["venue", "status", "id"], name="signup_venue_queue")]

    def __str__(self):
        return f"{self.user} · {self.activity.title}"


class Attendance(models.Model):
    """Check-in and check-out of one sign-up, its hours and their verification."""

    signup = models.OneToOneField(Signup, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("sign-up"))
    method = models.CharField(_("how"), max_length=8, choices=AttendanceMethod.choices)
    checked_in_at = models.DateTimeField(_("checked in"))
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    # Checked out by the system when the activity ended: the leader should look at it.
    auto_checked_out = models.BooleanField(_("checked out automatically"), default=False)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2, default=0)
    status = models.CharField(_("status"), max_length=10, choices=HoursStatus.choices, default=HoursStatus.PENDING)
    reject_reason = models.CharField(_("reason"), max_length=200, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    points = models.IntegerField(_("points"), default=0)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")


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
