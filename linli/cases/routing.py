"""Where a case goes: its grid, its dispatch queue, its handling unit, its time limits.

- `placement(...)`: the grid containing the point (the place index, no query), else the
  street of the nearest grid (unlocated), else an area hint given by staff.
- `route(...)`: the most specific RoutingRule — the deepest area first, then the deepest
  category (a rule on a class applies to its subclasses; no category = any). No rule:
  the street command center's queue decides (unit None).
- Categories and rules are cached per process (`routing_config`, see below): an intake
  reads neither table.
- `limits(...)`: accept hours, resolve days and priority, each inherited from the
  nearest ancestor category that sets it.
- `accept_due` / `resolve_due`: the limits in working time (core.calendar).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import shapely
from shapely.geometry import shape
from django.conf import settings
from django.db import transaction

from linli.core import calendar
from linli.places.choices import CODE_LENGTHS, AreaLevel
from linli.places.locate import clean_point, get_grid_index
from linli.places.models import Area

from .choices import ESCALATION_LEVELS, UNIT_KIND_ORDER, Priority
from .models import Category, RoutingRule
from linli.places.queries import ancestor_codes

STREET_CODE_LENGTH = CODE_LENGTHS[AreaLevel.STREET]


# -- categories ------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    category: Category
    ids: tuple[int, ...]  # the category and its ancestors, deepest first
    accept_hours: int | None
    resolve_days: int | None
    priority: int


# -- the configuration cache ------------------------------------------------------------------
#
# Categories and routing rules are read on every intake and change a few times a year:
# each process keeps them in memory. A change made in this process (through the actions,
# the admin, anything that saves) drops the copy at once and again after commit; other
# processes reload within settings.ROUTING_CACHE_SECONDS. An unknown category code reloads
# at once (a category created elsewhere is usable immediately), at most once a second.

MISS_RELOAD_SECONDS = 1.0


class RoutingConfig:
    """Every category (active or not) and every routing rule, as read at `loaded_at`."""

    def __init__(self):
        categories = list(Category.objects.all())
        self.by_pk = {row.pk: row for row in categories}
        self.by_code = {row.code: row for row in categories}
        self.by_path = {row.path: row for row in categories}
        self.rules: dict[int, list[tuple[int | None, int]]] = {}
        self.rule_kinds: list[tuple[str | None, str]] = []  # (category path or None, unit kind)
        for area_id, category_id, unit_id, kind in RoutingRule.objects.values_list(
                "area_id", "category_id", "unit_id", "unit__kind"):
            self.rules.setdefault(area_id, []).append((category_id, unit_id))
            category = self.by_pk.get(category_id)
            self.rule_kinds.append((category.path if category is not None else None, kind))
        self._kinds: dict[int, frozenset[str]] = {}
        self.loaded_at = time.monotonic()

    def handling_kinds(self, category_id) -> frozenset[str]:
        """The organization kinds that handle a category, as the routing rules say: the kinds of
        the units of every rule on the category, a class above it, a subclass of it, or on any
        category; a category no rule touches is for the kinds that handle cases at all."""
        if category_id not in self._kinds:
            category = self.by_pk.get(category_id)
            path = category.path if category is not None else ""
            kinds = frozenset(
                kind for rule_path, kind in self.rule_kinds
                if rule_path is None or (path and (path.startswith(rule_path) or rule_path.startswith(path)))
            )
            self._kinds[category_id] = kinds or frozenset(UNIT_KIND_ORDER)
        return self._kinds[category_id]

    def age(self) -> float:
        return time.monotonic() - self.loaded_at


_config: RoutingConfig | None = None
_config_generation = 0
_config_lock = threading.Lock()


def invalidate_routing_config(**_signal_kwargs):
    """Forget the cached categories and rules in this process (also a signal receiver)."""
    global _config, _config_generation
    _config_generation += 1
    _config = None
    if _signal_kwargs:
        transaction.on_commit(invalidate_routing_config)  # what another request read meanwhile


def routing_config(reload_if_older_than: float | None = None) -> RoutingConfig:
    global _config
    config = _config
    max_age = settings.ROUTING_CACHE_SECONDS if reload_if_older_than is None else reload_if_older_than
    if config is not None and config.age() < max_age:
        return config
    with _config_lock:
        generation = _config_generation
        if _config is not None and _config.age() < max_age:
            return _config
        config = RoutingConfig()
        if generation == _config_generation:
            _config = config
        return config


def _find_category(config: RoutingConfig, category):
    if isinstance(category, Category):
        return config.by_pk.get(category.pk)
    if isinstance(category, bool) or category in (None, ""):
        return None
    if isinstance(category, int):
        return config.by_pk.get(category)
    return config.by_code.get(str(category).strip())


def category_chain(category) -> list[Category] | None:
    """The category and its ancestors, deepest first (from the cache); None when the category
    does not exist or is inactive. `category`: a Category, a code or a pk."""
    config = routing_config()
    target = _find_category(config, category)
    if target is None and config.age() >= MISS_RELOAD_SECONDS:
        config = routing_config(reload_if_older_than=MISS_RELOAD_SECONDS)
        target = _find_category(config, category)
    if target is None or not target.is_active:
        return None
    step = Category.steplen
    paths = [target.path[:end] for end in range(step, len(target.path) + 1, step)]
    return [config.by_path[path] for path in reversed(paths) if path in config.by_path]


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


def handling_kinds(category_id) -> frozenset[str]:
    """The organization kinds that may handle (and claim) cases of a category (from the cache)."""
    return routing_config().handling_kinds(category_id)


def claimable_category_ids(kinds) -> list[int]:
    """The categories a unit of one of these kinds may claim (from the cache)."""
    config = routing_config()
    kinds = set(kinds)
    return sorted(pk for pk in config.by_pk if config.handling_kinds(pk) & kinds)


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


def _chain(code, chains=None) -> list[Area]:
    """The area of `code` and every area above it, top down; `chains` (a dict) keeps them for a batch."""
    if chains is not None and code in chains:
        return chains[code]
    # .only(): grid boundaries can be large and are not needed here
    rows = sorted(Area.objects.filter(code__in=ancestor_codes(code)).only(*AREA_FIELDS), key=lambda row: len(row.code))
    if chains is not None:
        chains[code] = rows
    return rows


def placement(lat=None, lng=None, area_hint: Area | None = None, chains=None) -> Placement | None:
    """Where a report lands; None when there is no point and no hint. One query (none for a
    place already in `chains`, the memo of a batch)."""
    if lat is not None and lng is not None:
        code = locate_code(lat, lng)
        if code is not None:
            chain = _chain(code, chains)
            grid = next((row for row in chain if row.code == code), None)
            if grid is not None:  # a grid deleted since the index was built is not found
                return Placement(grid, queue_area_of(grid, chain), False, tuple(chain))
    if area_hint is not None:
        chain = _chain(area_hint.code, chains)
        return Placement(area_hint, queue_area_of(area_hint, chain), area_hint.level != AreaLevel.GRID, tuple(chain))
    if lat is not None and lng is not None:
        code = nearest_grid_code(lat, lng)
        if code is not None and len(code) >= STREET_CODE_LENGTH:
            chain = _chain(code[:STREET_CODE_LENGTH], chains)
            street = next((row for row in chain if row.level == AreaLevel.STREET), None)
            if street is not None:
                # In no grid: the community whose outline holds the point, else the street.
                community = community_containing(street, lat, lng)
                if community is not None:
                    return Placement(community, street, True, (*chain, community))
                return Placement(street, street, True, tuple(chain))
    return None


def community_containing(street: Area, lat, lng) -> Area | None:
    """The community of `street` whose outline contains the point (one query; the rare path
    of a report outside every grid)."""
    point = clean_point(lat, lng)
    if point is None:
        return None
    communities = Area.objects.filter(
        path__startswith=street.path, level=AreaLevel.COMMUNITY, boundary__isnull=False
    ).only(*AREA_FIELDS, "boundary").order_by("code")
    target = shapely.Point(point[1], point[0])
    for community in communities:
        try:
            if shape(community.boundary).intersects(target):
                return community
        except Exception:  # noqa: BLE001 - an unreadable outline is skipped, as the grid index does
            continue
    return None


def grid_placement(grid: Area) -> Placement:
    chain = _chain(grid.code)
    return Placement(grid, queue_area_of(grid, chain), False, tuple(chain))


# -- who ----------------------------------------------------------------------------------------


def route(ancestors, limits: Limits):
    """The handling unit id of the most specific matching rule, or None (from the cache)."""
    depth_of_category = {pk: len(limits.ids) - i for i, pk in enumerate(limits.ids)}
    rules = routing_config().rules
    best, best_key = None, None
    for area in ancestors:
        for category_id, unit_id in rules.get(area.pk, ()):
            if category_id is not None and category_id not in depth_of_category:
                continue
            key = (len(area.code), depth_of_category.get(category_id, 0))
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
