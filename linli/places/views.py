"""Server-rendered place pages."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from linli.core.scoping import scope_for

from .choices import AreaLevel
from .models import Area
from .queries import grid_features


# Heading of the children list, by the area's own level.
CHILDREN_HEADINGS = {
    AreaLevel.CITY: _("Districts under this area"),
    AreaLevel.DISTRICT: _("Streets under this area"),
    AreaLevel.STREET: _("Communities under this area"),
    AreaLevel.COMMUNITY: _("Grids under this area"),
}


def grid_feature_collection(area):
    """The API's grid FeatureCollection, each grid linking to its own page."""
    collection = grid_features(area)
    for feature in collection["features"]:
        feature["properties"]["url"] = reverse("places:area_detail", args=[feature["id"]])
    return collection


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
