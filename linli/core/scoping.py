"""The one helper that decides what a user can see and do.

A role held on a node (an Area or an Organization) reaches that node's whole
subtree, found by materialized-path prefix. Nothing else is visible: views
fetch through `Scope.filter()` / `Scope.get_or_404()`, so a resource outside
the user's scope answers 404, never 403 (its existence is not revealed).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

# What each capability lets a role do, registered by the app that owns the capability in its
# AppConfig.ready (`register_capability`): core knows no role and no domain. A capability's scope
# is the union of the subtrees of the user's assignments whose role grants it.
CAPABILITIES: dict[str, frozenset[str]] = {}

# Capabilities a user must hold over a node to hand out a role granting them there (a command
# center cannot create system admins); the day-to-day capabilities are not guarded: a dispatcher
# appoints handlers and grid workers. Filled by register_capability(guarded=True).
GUARDED_CAPABILITIES: set[str] = set()


def register_capability(name: str, roles, *, guarded: bool = False) -> None:
    """Declare that `roles` hold `name` over the subtree of the node each is assigned to.
    Called from an AppConfig.ready; registering again replaces (ready may run twice in tests)."""
    CAPABILITIES[name] = frozenset(str(role) for role in roles)
    if guarded:
        GUARDED_CAPABILITIES.add(name)
    else:
        GUARDED_CAPABILITIES.discard(name)


def _minimal(paths):
    """Drop paths already covered by a shorter prefix in the set."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(p) for p in kept):
            kept.append(path)
    return tuple(sorted(kept))


@dataclass(frozen=True)
class Scope:
    area_paths: tuple[str, ...] = ()
    org_paths: tuple[str, ...] = ()
    is_global: bool = False
    # The codes of the areas behind area_paths: area codes extend their parent's
    # code, so a code prefix selects the same subtree (used on denormalized columns).
    area_codes: tuple[str, ...] = ()

    @property
    def is_empty(self):
        return not (self.is_global or self.area_paths or self.org_paths)

    # -- building querysets -------------------------------------------------
    def q(self, area_path: str | None = "area__path", org_path: str | None = None, area_code: str | None = None) -> Q:
        """A Q object matching rows under the scope; `area_path`/`org_path`
        name the lookups leading to the row's area / organization path, or
        `area_code` a column holding the row's area code."""
        if self.is_global:
            return Q()
        condition = Q(pk__in=[])
        if area_code:
            for code in self.area_codes:
                condition |= Q(**{f"{area_code}__startswith": code})
        elif area_path:
            for path in self.area_paths:
                condition |= Q(**{f"{area_path}__startswith": path})
        if org_path:
            for path in self.org_paths:
                condition |= Q(**{f"{org_path}__startswith": path})
        return condition

    def filter(self, queryset, area_path: str | None = "area__path", org_path: str | None = None, area_code=None):
        return queryset.filter(self.q(area_path, org_path, area_code))

    def get_or_404(
        self, queryset, area_path: str | None = "area__path", org_path: str | None = None, area_code=None, **lookup
    ):
        try:
            return self.filter(queryset, area_path, org_path, area_code).get(**lookup)
        except queryset.model.DoesNotExist:
            raise Http404 from None

    # -- single checks --------------------------------------------------------
    def contains_area(self, area) -> bool:
        return self.is_global or any(area.path.startswith(p) for p in self.area_paths)

    def contains_organization(self, organization) -> bool:
        return (
            self.is_global
            or any(organization.path.startswith(p) for p in self.org_paths)
            or self.contains_area(organization.area)
        )


def scope_for(user, capability: str = "view") -> Scope:
    """The user's scope for a capability, cached on the user object for the request.

    The user's role assignments are read once (one query) and every capability's
    scope is derived from them, so a request asking for several costs no more.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    cache = user.__dict__.setdefault("_linli_scopes", {})
    if capability in cache:
        return cache[capability]
    if user.is_superuser:
        scope = Scope(is_global=True)
    else:
        roles = CAPABILITIES[capability]
        area_paths, org_paths, code_of = [], [], {}
        for role, area_path, area_code, org_path in assignments_of(user):
            if role not in roles:
                continue
            if area_path:
                area_paths.append(area_path)
                code_of[area_path] = area_code
            if org_path:
                org_paths.append(org_path)
        area_paths = _minimal(area_paths)
        scope = Scope(
            area_paths=area_paths,
            org_paths=_minimal(org_paths),
            area_codes=tuple(code_of[path] for path in area_paths),
        )
    cache[capability] = scope
    return scope


def assignments_of(user) -> list[tuple]:
    """(role, area path, area code, organization path) of each of the user's role assignments:
    one query per request, shared by every scope and by the menu (core.registry.roles_of)."""
    cache = user.__dict__.setdefault("_linli_scopes", {})
    if "_assignments" not in cache:
        cache["_assignments"] = list(
            user.role_assignments.values_list("role", "area__path", "area__code", "organization__path")
        )
    return cache["_assignments"]


def remember(user, key: str, compute):
    """`compute()` once per request for this user, kept beside the user's scopes (one cache for
    everything derived from the user's roles; forget_scopes drops it all)."""
    cache = user.__dict__.setdefault("_linli_scopes", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def forget_scopes(user) -> None:
    """Drop the scopes cached on this user object (after its roles change)."""
    if user is not None:
        user.__dict__.pop("_linli_scopes", None)


def capabilities_of_roles(roles) -> frozenset[str]:
    """Capabilities some role in `roles` grants (somewhere; not where)."""
    roles = set(roles)
    return frozenset(capability for capability, granted in CAPABILITIES.items() if roles & granted)


def can(user, capability: str, node) -> bool:
    """Whether the user may exercise `capability` on an Area or Organization."""
    scope = scope_for(user, capability)
    if hasattr(node, "kind"):
        return scope.contains_organization(node)
    return scope.contains_area(node)
