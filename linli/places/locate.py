"""Which grid contains a point: a Shapely STRtree over every grid polygon.

    locate_id(lat, lng)     → grid id or None; no database query on the hot path
    locate_code(lat, lng)   → grid code or None
    locate(lat, lng)        → the grid Area or None (one query when a grid is hit)
    locate_gcj02(lat, lng)  → the same for a point given in GCJ-02 (phone maps)

Coordinates are WGS84. Garbage in (None, NaN, strings, out of range) gives
None, never an exception. A point on an edge belongs to the grids on both
sides; the one with the lowest code wins, so the answer is deterministic.

The index is built lazily, once per process, and replaced when grids change:
`invalidate_grid_index()` (called by the actions, also after commit) drops it
in this process; other processes compare a cheap fingerprint (grid count and
latest `updated_at`) at most every `settings.LOCATE_INDEX_CHECK_SECONDS`.
"""

from __future__ import annotations

import logging
import threading
import time

import shapely
from django.conf import settings
from django.db.models import Count, Max
from shapely import STRtree
from shapely.geometry import shape

from linli.core.ids import parse_point

from .choices import AreaLevel

logger = logging.getLogger(__name__)


class GridIndex:
    """An immutable snapshot of the grid polygons, ordered by code."""

    __slots__ = ("ids", "codes", "tree", "fingerprint", "checked_at", "build_seconds")

    def __init__(self, rows, fingerprint=None):
        """`rows`: iterable of (id, code, GeoJSON geometry)."""
        started = time.perf_counter()
        entries = []
        for pk, code, geojson in rows:
            try:
                geometry = shape(geojson)
            except Exception:  # noqa: BLE001 - one bad stored shape must not break every lookup
                logger.warning("Grid %s has an unreadable boundary; it is left out of the index.", code)
                continue
            if not geometry.is_empty:
                entries.append((code, pk, geometry))
        # Positions follow the code order: the lowest hit position is the lowest code.
        entries.sort(key=lambda entry: entry[0])
        self.codes = [entry[0] for entry in entries]
        self.ids = [entry[1] for entry in entries]
        self.tree = STRtree([entry[2] for entry in entries]) if entries else None
        self.fingerprint = fingerprint
        self.checked_at = time.monotonic()
        self.build_seconds = time.perf_counter() - started

    def __len__(self):
        return len(self.ids)

    def position(self, lat, lng):
        """Index position of the grid covering (lat, lng), or None. Expects clean floats."""
        if self.tree is None:
            return None
        hits = self.tree.query(shapely.Point(lng, lat), predicate="intersects")
        if not len(hits):
            return None
        return int(hits.min())

    def lookup_id(self, lat, lng):
        position = self.position(lat, lng)
        return None if position is None else self.ids[position]

    def lookup_code(self, lat, lng):
        position = self.position(lat, lng)
        return None if position is None else self.codes[position]


# -- the process-wide index ---------------------------------------------------------

_index: GridIndex | None = None
_generation = 0  # bumped by every invalidation, so a build racing one is not kept
_lock = threading.Lock()


def invalidate_grid_index():
    """Forget the index in this process; the next lookup rebuilds it."""
    global _index, _generation
    _generation += 1
    _index = None


def _fingerprint():
    from .models import Area

    stats = Area.objects.filter(level=AreaLevel.GRID).aggregate(n=Count("id"), latest=Max("updated_at"))
    return stats["n"], stats["latest"]


def _rows():
    from .models import Area

    return (
        Area.objects.filter(level=AreaLevel.GRID, boundary__isnull=False)
        .values_list("id", "code", "boundary")
        .iterator(chunk_size=2000)
    )


def get_grid_index() -> GridIndex:
    """The current index, rebuilt when missing or when the grids' fingerprint moved."""
    index = _index
    if index is not None and time.monotonic() - index.checked_at < settings.LOCATE_INDEX_CHECK_SECONDS:
        return index
    return _refresh()


def _refresh() -> GridIndex:
    global _index
    with _lock:
        generation = _generation
        index = _index
        if index is not None and time.monotonic() - index.checked_at < settings.LOCATE_INDEX_CHECK_SECONDS:
            return index  # another thread refreshed it while we waited
        fingerprint = _fingerprint()
        if index is not None and index.fingerprint == fingerprint:
            index.checked_at = time.monotonic()
            return index
        index = GridIndex(_rows(), fingerprint)
        logger.info("Built the grid index: %d grids in %.3f s.", len(index), index.build_seconds)
        if generation == _generation:
            _index = index
        return index


# -- lookups ----------------------------------------------------------------------------


def clean_point(lat, lng):
    """(lat, lng) as floats when they are a real WGS84 position, else None."""
    return parse_point(lat, lng)


def locate_id(lat, lng):
    """Id of the grid containing the WGS84 point, or None. No query when the index is warm."""
    point = clean_point(lat, lng)
    if point is None:
        return None
    return get_grid_index().lookup_id(*point)


def locate_code(lat, lng):
    """Code of the grid containing the WGS84 point, or None."""
    point = clean_point(lat, lng)
    if point is None:
        return None
    return get_grid_index().lookup_code(*point)


def locate(lat, lng):
    """The grid Area containing the WGS84 point, or None."""
    from .models import Area

    pk = locate_id(lat, lng)
    if pk is None:
        return None
    # A grid deleted since the index was built simply is not found.
    return Area.objects.filter(pk=pk).first()


def to_wgs84(lat, lng, coord_system="wgs84"):
    """A clean WGS84 (lat, lng) from input in `coord_system`, or None."""
    from .coords import gcj02_to_wgs84

    point = clean_point(lat, lng)
    if point is None or coord_system == "wgs84":
        return point
    if coord_system == "gcj02":
        return gcj02_to_wgs84(*point)
    return None


def locate_gcj02(lat, lng):
    """The grid Area containing a GCJ-02 point (what 高德/腾讯/微信 maps report), or None."""
    point = to_wgs84(lat, lng, "gcj02")
    return None if point is None else locate(*point)
