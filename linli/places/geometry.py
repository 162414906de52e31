"""GeoJSON geometry helpers (WGS84 lng/lat)."""

import math

import shapely
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape
from shapely.validation import explain_validity

ALLOWED_TYPES = ("Polygon", "MultiPolygon")


class GeometryError(ValueError):
    """A boundary that cannot be stored; the message is translated, for people."""


def centroid_of(geojson):
    """(lat, lng) of a GeoJSON geometry's representative point (always inside it)."""
    point = shape(geojson).representative_point()
    return point.y, point.x


def _coordinates_in_range(coordinates):
    """Walk nested GeoJSON coordinates; every position must be finite lng/lat."""
    if not isinstance(coordinates, (list, tuple)):
        return False
    if coordinates and not isinstance(coordinates[0], (list, tuple)):
        # A position: [lng, lat] or [lng, lat, z].
        if len(coordinates) < 2 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in coordinates):
            return False
        lng, lat = coordinates[0], coordinates[1]
        return math.isfinite(lng) and math.isfinite(lat) and -180 <= lng <= 180 and -90 <= lat <= 90
    return all(_coordinates_in_range(part) for part in coordinates)


def gcj02_geometry_to_wgs84(geojson):
    """A copy of a GeoJSON geometry with every GCJ-02 vertex converted to WGS84.

    Anything malformed is returned unchanged, for clean_boundary to report."""
    from .coords import gcj02_to_wgs84

    def convert(coordinates):
        if coordinates and not isinstance(coordinates[0], (list, tuple)):
            lat, lng = gcj02_to_wgs84(coordinates[1], coordinates[0])
            return [lng, lat, *coordinates[2:]]
        return [convert(part) for part in coordinates]

    if not isinstance(geojson, dict) or not _coordinates_in_range(geojson.get("coordinates")):
        return geojson
    return {**geojson, "coordinates": convert(geojson["coordinates"])}


def _as_lists(value):
    if isinstance(value, (list, tuple)):
        return [_as_lists(v) for v in value]
    return float(value)


def clean_boundary(geojson):
    """A valid Polygon/MultiPolygon in canonical form, or raise GeometryError.

    Canonical form (type + coordinates only, 2-D, closed rings, lists of
    floats) makes "did the boundary change?" a plain equality test, so a
    re-import of the same file changes nothing.
    """
    if not isinstance(geojson, dict):
        raise GeometryError(_("The boundary must be a GeoJSON geometry object."))
    kind = geojson.get("type")
    if kind not in ALLOWED_TYPES:
        raise GeometryError(
            _("The boundary must be a Polygon or MultiPolygon, not %(type)s.") % {"type": kind or "-"}
        )
    if not _coordinates_in_range(geojson.get("coordinates")):
        raise GeometryError(
            _("The boundary has coordinates that are not longitude/latitude numbers in range (WGS84).")
        )
    try:
        geometry = shapely.force_2d(shape(geojson))
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.GEOSException):
        raise GeometryError(_("The boundary's coordinates are malformed (each ring needs at least 4 points).")) from None
    if geometry.is_empty:
        raise GeometryError(_("The boundary is empty."))
    if not geometry.is_valid:
        raise GeometryError(_("The boundary is not a valid polygon: %(reason)s") % {"reason": explain_validity(geometry)})
    data = mapping(geometry)
    return {"type": data["type"], "coordinates": _as_lists(data["coordinates"])}
