from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    """Levels of the place tree, top down; a child is always exactly one level below."""

    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")

    @classmethod
    def order(cls, level):
        return cls.values.index(level)

    @classmethod
    def child_of(cls, level):
        index = cls.order(level) + 1
        return cls.values[index] if index < len(cls.values) else None


# Digits each level adds to its parent's code: 4-digit city, 6-digit district,
# 9-digit street, 12-digit community, 15-digit grid.
CODE_LENGTHS = {
    AreaLevel.CITY: 4,
    AreaLevel.DISTRICT: 6,
    AreaLevel.STREET: 9,
    AreaLevel.COMMUNITY: 12,
    AreaLevel.GRID: 15,
}


class CoordSystem(models.TextChoices):
    """Datum of coordinates a client sends; storage and responses are always WGS-84."""

    WGS84 = "wgs84", _("WGS-84 (GPS)")
    GCJ02 = "gcj02", _("GCJ-02 (Chinese phone maps)")
