"""Writes to the place tree. Views, commands and tests call these, never .save()."""

from django.db import transaction

from .geometry import centroid_of
from .models import Area


@transaction.atomic
def do_create_area(*, parent, name, level, code, boundary=None):
    lat, lng = centroid_of(boundary) if boundary else (None, None)
    fields = dict(name=name, level=level, code=code, boundary=boundary, centroid_lat=lat, centroid_lng=lng)
    if parent is None:
        area = Area.add_root(**fields)
    else:
        parent = Area.objects.select_for_update().get(pk=parent.pk)
        area = parent.add_child(**fields)
    if boundary is not None:
        from .locate import invalidate_grid_index

        transaction.on_commit(invalidate_grid_index)
    return area
