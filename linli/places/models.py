from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from .choices import CODE_LENGTHS, AreaLevel


class Area(MP_Node):
    """A node of the place tree: city → district → street → community → grid.

    Materialized path (treebeard): "everything under this street" is one
    indexed `path LIKE 'prefix%'` query.
    """

    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=AreaLevel.choices, db_index=True)
    code = models.CharField(_("code"), max_length=15, unique=True)
    # GeoJSON geometry (Polygon or MultiPolygon) in WGS84 longitude/latitude.
    boundary = models.JSONField(_("boundary"), null=True, blank=True)
    centroid_lat = models.FloatField(_("centroid latitude"), null=True, blank=True)
    centroid_lng = models.FloatField(_("centroid longitude"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        indexes = [models.Index(fields=["level", "path"], name="area_level_path")]

    def __str__(self):
        return self.name

    @property
    def level_label(self):
        return self.get_level_display()

    def clean(self):
        if self.level and self.code and len(self.code) != CODE_LENGTHS[self.level]:
            raise ValidationError(
                {"code": _("A %(level)s code has %(n)d digits.") % {"level": self.get_level_display(), "n": CODE_LENGTHS[self.level]}}
            )

    def subtree(self):
        """This area and everything under it, one prefix query."""
        return Area.objects.filter(path__startswith=self.path)

    def full_name(self):
        """Names from the city down, e.g. 厦门市 思明区 开元街道 坑内社区."""
        return " ".join(a.name for a in [*Area.objects.get_ancestors(self), self])
