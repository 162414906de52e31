from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident identity card")
    PASSPORT = "passport", _("Passport")
    HK_MACAO = "hk_macao", _("Mainland travel permit for Hong Kong and Macao residents")
    TAIWAN = "taiwan", _("Mainland travel permit for Taiwan residents")
    FOREIGN_PERMANENT = "foreign_permanent", _("Foreign permanent resident ID card")


class PoliticalStatus(models.TextChoices):
    PARTY_MEMBER = "party_member", _("Party member")
    PROBATIONARY = "probationary", _("Probationary party member")
    LEAGUE_MEMBER = "league_member", _("Youth League member")
    OTHER_PARTY = "other_party", _("Member of another party")
    MASSES = "masses", _("Ordinary citizen")


class Education(models.TextChoices):
    PRIMARY = "primary", _("Primary school or below")
    JUNIOR = "junior", _("Junior middle school")
    SENIOR = "senior", _("Senior middle school or vocational")
    COLLEGE = "college", _("College")
    BACHELOR = "bachelor", _("Bachelor")
    POSTGRADUATE = "postgraduate", _("Postgraduate")


class ServiceArea(models.TextChoices):
    """What a volunteer serves in, and an activity's type."""

    ELDERLY = "elderly", _("Elderly care")
    CHILDREN = "children", _("Children and youth")
    ENVIRONMENT = "environment", _("Environment")
    HEALTH = "health", _("Health")
    CULTURE = "culture", _("Culture and education")
    GOVERNANCE = "governance", _("Community affairs")
    EMERGENCY = "emergency", _("Emergency relief")
    OTHER = "other", _("Other")


class ActivityStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class AttendanceMethod(models.TextChoices):
    QR = "qr", _("QR code")
    LEADER = "leader", _("Marked by the leader")


class HoursStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for verification")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", pgettext_lazy("hours", "Rejected")
