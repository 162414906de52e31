"""Server-rendered place pages."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from linli.core.scoping import scope_for

from .choices import AreaLevel
from .models import Area


# Heading of the children list, by the area's own level.
CHILDREN_HEADINGS = {
    AreaLevel.CITY: _("Districts under this area"),
    AreaLevel.DISTRICT: _("Streets under this area"),
    AreaLevel.STREET: _("Communities under this area"),
    AreaLevel.COMMUNITY: _("Grids under this area"),
}


def grid_feature_collection(area):
    """The grid polygons under `area` (or the grid itself) as a GeoJSON FeatureCollection; one query."""
    grids = (
        Area.objects.filter(path__startswith=area.path, level=AreaLevel.GRID, boundary__isnull=False)
        .order_by("path")
        .values_list("code", "name", "boundary")
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": code,
                "properties": {"code": code, "name": name, "url": reverse("places:area_detail", args=[code])},
                "geometry": boundary,
            }
            for code, name, boundary in grids
            if boundary
        ],
    }


@login_required
def area_detail(request, code):
    scope = scope_for(request.user)
    area = scope.get_or_404(Area.objects.all(), area_path="path", code=code)
    ancestors = [(a, scope.contains_area(a)) for a in Area.objects.get_ancestors(area)]
    children = list(Area.objects.get_children(area)) if area.level != AreaLevel.GRID else []
    grids = grid_feature_collection(area)
    return render(
        request,
        "places/area_detail.html",
        {
            "area": area,
            "ancestors": ancestors,
            "children": children,
            "children_heading": CHILDREN_HEADINGS.get(area.level, ""),
            "grids": grids,
            "grid_count": len(grids["features"]),
        },
    )
