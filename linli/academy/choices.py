from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    """The four tiers community workers are trained in (正职、副职、委员、网格员)."""

    HEAD = "head", _("Head")
    DEPUTY = "deputy", _("Deputy")
    MEMBER = "member", _("Committee member")
    GRID_WORKER = "grid_worker", _("Grid worker")
