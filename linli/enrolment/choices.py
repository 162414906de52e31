from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class EnrolmentStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class AttendanceMethod(models.TextChoices):
    QR = "qr", _("QR code")
    LEADER = "leader", _("Marked by the organizer")


class Presence(models.TextChoices):
    """How a person attended a session (出勤情况)."""

    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")
    # Enrolled after the session began: not absent from it (不计缺勤).
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class HoursStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for verification")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", pgettext_lazy("hours", "Rejected")
