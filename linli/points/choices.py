from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryKind(models.TextChoices):
    EARN = "earn", _("Earned")
    REDEEM = "redeem", _("Redeemed")
    REFUND = "refund", _("Refunded")
    ADJUST = "adjust", _("Adjusted")
    EXPIRE = "expire", _("Expired")


# Kinds that add points; earn (and a positive adjust) can later expire, while a refund gives its
# points back to the credits its redemption took them from (PointsAllocation) and keeps their age.
CREDIT_KINDS = frozenset({EntryKind.EARN, EntryKind.REFUND})


class RewardKind(models.TextChoices):
    GOODS = "goods", _("Goods")
    SERVICE = "service", _("Service")


class RedemptionStatus(models.TextChoices):
    PENDING = "pending", _("To pick up")
    FULFILLED = "fulfilled", _("Picked up")
    CANCELLED = "cancelled", _("Cancelled")


class Period(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


# Entries a leaderboard ranks: what was earned, with corrections; not what was spent or expired.
LEADERBOARD_KINDS = ("adjust", "earn")
