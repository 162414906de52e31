"""What each app offers a person: home tiles and the entries of the ☰ menu, one list.

Core knows no domain: each app registers its tiles in its `AppConfig.ready`
(`register_tiles(Tile(...), ...)`), saying which roles see them. The home page
and the menu both read `tiles_for()`, so the menu holds exactly the home tiles
of the signed-in person's roles. A tile always has a URL name: nothing here is
a placeholder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

# A person with no role at all is a resident (a number signing in for the first
# time becomes an account with no role).
RESIDENT = "resident"


@dataclass(frozen=True)
class Tile:
    key: str  # unique, "app.name"
    title: str  # lazy translation
    text: str
    icon: str  # one character
    url_name: str
    roles: frozenset[str]
    order: int = 100
    # Optional extra condition on the user (for a tile only some holders of a role get);
    # it must not query the database per request.
    predicate: Callable[[object], bool] | None = field(default=None, compare=False)
    query: str = ""  # appended to the URL, e.g. "status=verified"
    # Optional count of waiting work shown on the home tile (one query; the menu does not call it).
    badge: Callable[[object], int] | None = field(default=None, compare=False)

    @property
    def url(self) -> str:
        return reverse(self.url_name) + (f"?{self.query}" if self.query else "")


def with_badges(user, tiles) -> list[tuple[Tile, int]]:
    """Each tile with its count of waiting work (0 for a tile without one)."""
    return [(tile, tile.badge(user) if tile.badge else 0) for tile in tiles]


_TILES: dict[str, Tile] = {}


def register_tiles(*tiles: Tile) -> None:
    """Called from an AppConfig.ready; registering a key again replaces it (ready may run twice in tests)."""
    for tile in tiles:
        if not tile.url_name:
            raise ValueError(f"tile {tile.key} has no URL: placeholders are not shown")
        _TILES[tile.key] = tile


def registered_tiles() -> list[Tile]:
    return sorted(_TILES.values(), key=lambda t: (t.order, t.key))


def tiles_for(user, roles, *, role: str | None = None) -> list[Tile]:
    """The tiles of `roles` (or of the one `role`) that this user may see, in order."""
    wanted = {role} if role else set(roles)
    return [
        t for t in registered_tiles() if t.roles & wanted and (t.predicate is None or t.predicate(user))
    ]


def menu_tiles(user, roles) -> list[Tile]:
    """The ☰ menu: every tile of the person's roles, each URL once."""
    seen, entries = set(), []
    for tile in tiles_for(user, roles):
        if tile.url not in seen:
            seen.add(tile.url)
            entries.append(tile)
    return entries


# -- demo loaders ----------------------------------------------------------------------------------

_DEMO_LOADERS: dict[str, tuple[int, str]] = {}


def register_demo(name: str, load: str, order: int) -> None:
    """An app's part of `manage.py load_demo`: the function at dotted path `load` (imported only
    when the demo loads) runs as `load(loader)` inside the demo's transaction, after the places,
    organizations and people, in `order` (lower first)."""
    _DEMO_LOADERS[name] = (order, load)


def demo_loaders() -> list[Callable]:
    from django.utils.module_loading import import_string

    return [import_string(load) for _order, load in sorted(_DEMO_LOADERS.values(), key=lambda item: item[0])]


# -- panels: a page of a lower floor shows what apps above it add ---------------------------------------

@dataclass(frozen=True)
class Panel:
    key: str
    template: str  # rendered with the page's context plus what `context` returns
    context: Callable  # (request, page_context) -> dict, or None to leave the panel out
    order: int = 100


_PANELS: dict[str, dict[str, Panel]] = {}


def register_panel(page: str, panel: Panel) -> None:
    """Called from an AppConfig.ready: `panel` appears on `page` (e.g. "orgs.network"), which
    cannot import the app (it sits on a lower floor). Registering a key again replaces it."""
    _PANELS.setdefault(page, {})[panel.key] = panel


def panels_for(page: str, request, page_context) -> list[str]:
    """The HTML of the panels of `page` that have something to show, in order (each rendered with
    the page's context and its own)."""
    from django.template.loader import render_to_string

    shown = []
    for panel in sorted(_PANELS.get(page, {}).values(), key=lambda p: (p.order, p.key)):
        context = panel.context(request, page_context)
        if context is not None:
            shown.append(render_to_string(panel.template, {**page_context, **context}, request=request))
    return shown


def roles_of(user) -> set[str]:
    """The roles the user holds, read with the scopes' cached assignments (no query when the
    view already asked for a scope; `home` primes it from the assignments it loads)."""
    from .scoping import assignments_of

    cache = user.__dict__.setdefault("_linli_scopes", {})
    if "_roles" not in cache:
        cache["_roles"] = {row[0] for row in assignments_of(user)}
    return cache["_roles"]


def set_roles(user, roles) -> None:
    user.__dict__.setdefault("_linli_scopes", {})["_roles"] = set(roles)
