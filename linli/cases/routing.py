"""Where a case goes: its grid, its dispatch queue, its handling unit, its time limits.

- `placement(...)`: the grid containing the point (the place index, no query), else the
  street of the nearest grid (unlocated), else an area hint given by staff.
- `route(...)`: the most specific RoutingRule — the deepest area first, then the deepest
  category (a rule on a class applies to its subclasses; no category = any). No rule:
  the street command center's queue decides (unit None).
- `limits(...)`: accept hours, resolve days and priority, each inherited from the
  nearest ancestor category that sets it.
- `accept_due` / `resolve_due`: the limits in working time (core.calendar).
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from django.db.models import Exists, OuterRef

from linli.core import calendar
from linli.places.choices import CODE_LENGTHS, AreaLevel
from linli.places.locate import clean_point, get_grid_index
from linli.places.models import Area

from .choices import ESCALATION_LEVELS, Priority
from .models import Category, RoutingRule
from .parties import code_prefixes

STREET_CODE_LENGTH = CODE_LENGTHS[AreaLevel.STREET]


# -- categories ------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    category: Category
    ids: tuple[int, ...]  # the category and its ancestors, deepest first
    accept_hours: int | None
    resolve_days: int | None
    priority: int


def _ancestor_paths(path):
    step = Category.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def category_chain(category) -> list[Category] | None:
    """The category and its ancestors, deepest first, in one query; None when the
    category does not exist or is inactive. `category`: a Category, a code or a pk."""
    if isinstance(category, Category):
        rows = list(Category.objects.filter(path__in=_ancestor_paths(category.path)))
        target = next((row for row in rows if row.pk == category.pk), None)
    else:
        if isinstance(category, bool) or category in (None, ""):
            return None
        lookup = {"pk": category} if isinstance(category, int) else {"code": str(category).strip()}
        # The category and all its ancestors: rows whose path prefixes the target's.
        target_q = Category.objects.filter(**lookup, path__startswith=OuterRef("path"))
        try:
            rows = list(Category.objects.filter(Exists(target_q)))
        except (ValueError, TypeError):
            return None
        target = max(rows, key=lambda row: row.depth) if rows else None
    if target is None or not target.is_active:
        return None
    return sorted((row for row in rows if target.path.startswith(row.path)), key=lambda row: -row.depth)


def limits_of(chain: list[Category]) -> Limits:
    def inherited(name):
        return next((getattr(row, name) for row in chain if getattr(row, name) is not None), None)

    return Limits(
        category=chain[0],
        ids=tuple(row.pk for row in chain),
        accept_hours=inherited("accept_hours"),
        resolve_days=inherited("resolve_days"),
        priority=inherited("default_priority") or Priority.NORMAL,
    )


def limits_for(category) -> Limits | None:
    chain = category_chain(category)
    return limits_of(chain) if chain else None


# -- time limits --------------------------------------------------------------------------


def accept_due(now, limits: Limits):
    return calendar.add_working_hours(now, limits.accept_hours) if limits.accept_hours else None


def resolve_due(now, limits: Limits):
    return calendar.add_working_days(now, limits.resolve_days) if limits.resolve_days else None


# -- where ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    area: Area  # the grid, or (unlocated) the area standing in for it
    queue_area: Area | None  # the street whose command center holds the queue
    unlocated: bool
    ancestors: tuple[Area, ...]  # the area and every area above it, top down


def locate_code(lat, lng) -> str | None:
    """Code of the grid containing the WGS84 point (warm index: no query)."""
    point = clean_point(lat, lng)
    return None if point is None else get_grid_index().lookup_code(*point)


def nearest_grid_code(lat, lng) -> str | None:
    """Code of the grid nearest to the point (for points outside every grid)."""
    point = clean_point(lat, lng)
    if point is None:
        return None
    index = get_grid_index()
    if index.tree is None:
        return None
    position = index.tree.nearest(shapely.Point(point[1], point[0]))
    return None if position is None else index.codes[int(position)]


def queue_area_of(area: Area, ancestors) -> Area | None:
    """The street at or above the area; an area above street level queues itself."""
    if AreaLevel.order(area.level) < AreaLevel.order(AreaLevel.STREET):
        return area
    return next((row for row in ancestors if row.level == AreaLevel.STREET), None)


AREA_FIELDS = ("id", "path", "depth", "name", "level", "code")


def _chain(code) -> list[Area]:
    # .only(): grid boundaries can be large and are not needed here
    rows = Area.objects.filter(code__in=code_prefixes(code)).only(*AREA_FIELDS)
    return sorted(rows, key=lambda row: len(row.code))


def placement(lat=None, lng=None, area_hint: Area | None = None) -> Placement | None:
    """Where a report lands; None when there is no point and no hint. One query."""
    if lat is not None and lng is not None:
        code = locate_code(lat, lng)
        if code is not None:
            chain = _chain(code)
            grid = next((row for row in chain if row.code == code), None)
            if grid is not None:  # a grid deleted since the index was built is not found
                return Placement(grid, queue_area_of(grid, chain), False, tuple(chain))
    if area_hint is not None:
        chain = _chain(area_hint.code)
        return Placement(area_hint, queue_area_of(area_hint, chain), area_hint.level != AreaLevel.GRID, tuple(chain))
    if lat is not None and lng is not None:
        code = nearest_grid_code(lat, lng)
        if code is not None and len(code) >= STREET_CODE_LENGTH:
            chain = _chain(code[:STREET_CODE_LENGTH])
            street = next((row for row in chain if row.level == AreaLevel.STREET), None)
            if street is not None:
                return Placement(street, street, True, tuple(chain))
    return None


def grid_placement(grid: Area) -> Placement:
    chain = _chain(grid.code)
    return Placement(grid, queue_area_of(grid, chain), False, tuple(chain))


# -- who ----------------------------------------------------------------------------------------


def route(ancestors, limits: Limits):
    """The handling unit id of the most specific matching rule, or None. One query."""
    depth_of_area = {row.pk: len(row.code) for row in ancestors}
    depth_of_category = {pk: len(limits.ids) - i for i, pk in enumerate(limits.ids)}
    rules = RoutingRule.objects.filter(area_id__in=list(depth_of_area)).values_list("area_id", "category_id", "unit_id")
    best, best_key = None, None
    for area_id, category_id, unit_id in rules:
        if category_id is not None and category_id not in depth_of_category:
            continue
        key = (depth_of_area[area_id], depth_of_category.get(category_id, 0))
        if best_key is None or key > best_key:
            best, best_key = unit_id, key
    return best


def escalation_target(queue_area: Area | None) -> Area | None:
    """The next queue up (community → street → city), or None at the top."""
    if queue_area is None:
        return None
    order = AreaLevel.order(queue_area.level)
    higher = [level for level in ESCALATION_LEVELS if AreaLevel.order(level) < order]
    if not higher:
        return None
    level = max(higher, key=AreaLevel.order)  # the nearest level above
    return Area.objects.filter(code=queue_area.code[: CODE_LENGTHS[level]], level=level).first()
