"""Reads of the place tree: scoped querysets and GeoJSON. No writes."""

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Substr

from linli.core.scoping import scope_for

from .choices import CODE_LENGTHS, AreaLevel
from .models import Area


_CODE_LENGTHS = sorted(CODE_LENGTHS.values())


def ancestor_codes(code: str) -> list[str]:
    """The codes of an area and of every area above it (codes extend their parent's by level)."""
    return [code[:n] for n in _CODE_LENGTHS if n <= len(code)]


def areas_in(scope):
    """The areas of a scope (core.scoping.Scope): the subtrees of its area paths."""
    return scope.filter(Area.objects.all(), area_path="path")


def areas_for(user, capability="view"):
    """Areas in the user's scope (their subtrees), in tree order."""
    return areas_in(scope_for(user, capability)).order_by("path")


def with_parent_code(queryset):
    """Annotate `parent_code` in the same query (a materialized path knows its parent)."""
    parent_path = Substr(OuterRef("path"), 1, (OuterRef("depth") - 1) * Area.steplen)
    return queryset.annotate(
        parent_code=Subquery(Area.objects.filter(path=parent_path).values("code")[:1])
    )


def subtree(area):
    """`area` and everything under it: one indexed prefix query."""
    return Area.objects.filter(path__startswith=area.path)


def grid_features(area):
    """The grid polygons under `area` (or the grid itself) as a GeoJSON FeatureCollection; one query."""
    grids = (
        subtree(area)
        .filter(level=AreaLevel.GRID, boundary__isnull=False)
        .order_by("code")
        .values_list("code", "name", "level", "boundary")
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": code,
                "geometry": boundary,
                "properties": {"code": code, "name": name, "level": level},
            }
            for code, name, level, boundary in grids
        ],
    }


def community_labels(features):
    """The communities the grid `features` belong to, as [{"code", "name"}] in code order: a map
    without tiles names them over their grids (a grid's code extends its community's). One query."""
    codes = {str(f["properties"]["code"])[: CODE_LENGTHS[AreaLevel.COMMUNITY]] for f in features}
    if not codes:
        return []
    rows = Area.objects.filter(level=AreaLevel.COMMUNITY, code__in=codes).order_by("code").values_list("code", "name")
    return [{"code": code, "name": name} for code, name in rows]
