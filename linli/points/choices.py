from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryKind(models.TextChoices):
    EARN = "earn", _("Earned")
    REDEEM = "redeem", _("Redeemed")
    REFUND = "refund", _("Refunded")
    ADJUST = "adjust", _("Adjusted")
    EXPIRE = "expire", _("Expired")


# Kinds that add points (and can later expire); the others take points away.
CREDIT_KINDS = frozenset({EntryKind.EARN, EntryKind.REFUND})
