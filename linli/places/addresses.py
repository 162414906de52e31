"""Address text → area, by name.

12345 work orders and Open311 requests often carry only an address such as
"思明区开元街道坑内社区仙岳路12号". `AddressMatcher` finds the deepest area whose name
occurs in the text: a community (社区/村) first, then a grid of that community, else
a street. Names are also tried without their level suffix ("坑内社区" → "坑内") when
what remains has at least two characters, since callers write both.

Build one matcher per batch (an import of 100,000 rows builds it once: one query);
`match_area` is the one-off form.
"""

from __future__ import annotations

from dataclasses import dataclass

from .choices import AreaLevel
from .models import Area

SUFFIXES = ("社区居委会", "村委会", "居委会", "社区", "街道办事处", "街道", "镇", "乡", "村", "网格")
MATCH_LEVELS = (AreaLevel.STREET, AreaLevel.COMMUNITY, AreaLevel.GRID)


@dataclass(frozen=True)
class _Named:
    id: int
    path: str
    level: str
    names: tuple[str, ...]


def _names(name: str) -> tuple[str, ...]:
    name = name.strip()
    names = [name]
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            names.append(name[: -len(suffix)])
            break
    return tuple(names)


class AddressMatcher:
    """Matches address text to a street, community or grid under `within` (all areas when None)."""

    def __init__(self, within: Area | None = None):
        areas = Area.objects.filter(level__in=MATCH_LEVELS)
        if within is not None:
            areas = areas.filter(path__startswith=within.path)
        rows = areas.values_list("id", "path", "level", "name")
        self._by_level = {level: [] for level in MATCH_LEVELS}
        for pk, path, level, name in rows:
            self._by_level[level].append(_Named(pk, path, level, _names(name)))

    @staticmethod
    def _found(text: str, candidates, under: str = ""):
        """The candidates named in the text (longest name wins), or [] when none or a tie."""
        best, best_length = [], 0
        for area in candidates:
            if under and not area.path.startswith(under):
                continue
            length = max((len(name) for name in area.names if name in text), default=0)
            if length > best_length:
                best, best_length = [area], length
            elif length and length == best_length:
                best.append(area)
        return best

    def match_id(self, text: str) -> int | None:
        """The id of the deepest area named in the text, or None (no match, or an ambiguous one)."""
        text = (text or "").strip()
        if not text:
            return None
        streets = self._found(text, self._by_level[AreaLevel.STREET])
        street_path = streets[0].path if len(streets) == 1 else ""
        communities = self._found(text, self._by_level[AreaLevel.COMMUNITY], street_path)
        if len(communities) == 1:
            grids = self._found(text, self._by_level[AreaLevel.GRID], communities[0].path)
            return grids[0].id if len(grids) == 1 else communities[0].id
        if len(streets) == 1 and not communities:
            return streets[0].id
        return None

    def match(self, text: str) -> Area | None:
        pk = self.match_id(text)
        return Area.objects.filter(pk=pk).first() if pk else None


def match_area(text: str, within: Area | None = None) -> Area | None:
    """The deepest area named in `text` (see AddressMatcher), or None."""
    return AddressMatcher(within).match(text)
