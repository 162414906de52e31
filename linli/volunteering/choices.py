from django.db import models
from django.utils.translation import gettext_lazy as _

# An activity's status, its sign-ups', its attendance's and its hours' are the enrolment engine's
# (an activity is an enrolment session; a sign-up, 报名, is an enrolment).
from linli.enrolment.choices import AttendanceMethod, HoursStatus, Presence  # noqa: F401
from linli.enrolment.choices import EnrolmentStatus as SignupStatus  # noqa: F401
from linli.enrolment.choices import SessionStatus as ActivityStatus  # noqa: F401


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
