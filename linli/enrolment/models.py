"""Sessions with venues, enrolment with a waiting list, attendance and verified hours (报名与签到).

A session belongs to its owner by key ("volunteering.activity:7", "academy.session:3"); an owner
model may also inherit Session (multi-table), as volunteering's Activity does. Every write goes
through actions.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import AttendanceMethod, EnrolmentStatus, HoursStatus, Presence, SessionStatus


class Session(models.Model):
    owner = models.CharField(_("owner"), max_length=64, db_index=True)
    title = models.CharField(_("title"), max_length=120)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    signup_opens_at = models.DateTimeField(_("sign-up opens"))
    signup_closes_at = models.DateTimeField(_("sign-up closes"))
    status = models.CharField(_("status"), max_length=12, choices=SessionStatus.choices,
                              default=SessionStatus.SCHEDULED)
    # Enrolments cancelled with the session carry this same time (how "my sign-ups" tells them apart).
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                              name="session_ends_after_start")]

    def __str__(self):
        return self.title

    @property
    def owner_prefix(self):
        return self.owner.split(":", 1)[0]


class Venue(models.Model):
    """The main venue (主会场) or a branch venue (分会场), each with its own capacity and QR code."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="venues", verbose_name=_("session"))
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
            models.UniqueConstraint(fields=["session"], condition=Q(is_main=True), name="venue_one_main_per_session")
        ]

    def __str__(self):
        return self.name


class Enrolment(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="enrolments",
                                verbose_name=_("session"))
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("venue"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments",
                             verbose_name=_("person"))
    status = models.CharField(_("status"), max_length=12, choices=EnrolmentStatus.choices)
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], condition=~Q(status=EnrolmentStatus.CANCELLED),
                                    name="enrolment_one_live_per_person")
        ]
        indexes = [models.Index(fields=["venue", "status", "id"], name="enrolment_venue_queue")]

    def __str__(self):
        return f"{self.user} · {self.session.title}"


class Attendance(models.Model):
    """How one enrolment attended: check-in and check-out (by QR or by the organizer), its
    presence, its hours and their verification."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="attendance",
                                     verbose_name=_("enrolment"))
    presence = models.CharField(_("attendance"), max_length=16, choices=Presence.choices, default=Presence.PRESENT)
    method = models.CharField(_("how"), max_length=8, choices=AttendanceMethod.choices)
    # Empty for the excused, the absent and the not-applicable.
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    # Checked out by the system when the session ended: the organizer should look at it.
    auto_checked_out = models.BooleanField(_("checked out automatically"), default=False)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2, default=0)
    status = models.CharField(_("status"), max_length=10, choices=HoursStatus.choices, default=HoursStatus.PENDING)
    reject_reason = models.CharField(_("reason"), max_length=200, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    # What the owner credited for the approved hours (volunteering: points); 0 where it credits nothing.
    points = models.IntegerField(_("points"), default=0)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
