"""GeoJSON geometry helpers (WGS84 lng/lat)."""

from shapely.geometry import shape


def centroid_of(geojson):
    """(lat, lng) of a GeoJSON geometry's representative point."""
    point = shape(geojson).representative_point()
    return point.y, point.x
