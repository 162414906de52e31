"""The site's top floor: the home page per role and the ☰ menu, read from the registry the
apps fill in their AppConfig.ready."""

from django.db.models import Count
from django.shortcuts import render

from linli.accounts.choices import FIELD_ROLES, STAFF_ROLES, Role
from linli.core.registry import RESIDENT, menu_tiles, roles_of, set_roles, tiles_for, with_badges
from linli.core.scoping import scope_for
from linli.orgs.choices import OrganizationKind
from linli.orgs.queries import organizations_in
from linli.places.choices import AreaLevel
from linli.places.models import Area
from linli.places.queries import areas_in

# How many top nodes / organizations the staff home lists before "and N more".
HOME_LIST_LIMIT = 12


def menu_roles(user, roles):
    """The roles whose tiles a person sees: theirs, and the resident's when the home is a resident's."""
    roles = set(roles)
    if Role.RESIDENT in roles or _home_kind(roles, user) == "resident":
        roles.add(RESIDENT)
    return roles


def menu_for(user):
    """The ☰ menu's entries (the home tiles of the person's roles); no query when home primed the roles."""
    if not user.is_authenticated:
        return []
    return menu_tiles(user, menu_roles(user, roles_of(user)))


def _home_kind(roles, user):
    if user.is_superuser or roles & STAFF_ROLES:
        return "staff"
    if roles & FIELD_ROLES:
        return "field"
    # Everyone else is a resident: a number logging in for the first time
    # becomes an account with no role, and no role is needed to be a resident.
    return "resident"


def home(request):
    if not request.user.is_authenticated:
        return render(request, "core/landing.html", {"hide_login_link": True})

    user = request.user
    assignments = list(
        user.role_assignments.select_related("area", "organization").order_by("role", "area__path", "organization__path")
    )
    roles = {a.role for a in assignments}
    set_roles(user, roles)  # the menu reads them without another query
    kind = _home_kind(roles, user)
    context = {"home_kind": kind, "assignments": assignments, "roles": roles}

    if roles & FIELD_ROLES:
        context["field_areas"] = _field_areas(assignments)
        context["field_tiles"] = tiles_for(user, roles & FIELD_ROLES)
    context["show_resident"] = kind == "resident" or Role.RESIDENT in roles
    if context["show_resident"]:
        context["resident_tiles"] = tiles_for(user, (), role=RESIDENT)
        context["resident_areas"] = [a.area for a in assignments if a.role == Role.RESIDENT and a.area_id]
    if kind == "staff":
        context.update(_staff_context(user, assignments))
    return render(request, "core/home.html", context)


def _field_areas(assignments):
    """The grids (or larger areas) a field role works in, with their parent's name; one query."""
    areas = {a.area.path: a.area for a in assignments if a.role in FIELD_ROLES and a.area_id}
    parent_paths = {path[: -Area.steplen] for path in areas if len(path) > Area.steplen}
    parents = dict(Area.objects.filter(path__in=parent_paths).values_list("path", "name")) if parent_paths else {}
    return [(area, parents.get(path[: -Area.steplen], "")) for path, area in sorted(areas.items())]


def _staff_context(user, assignments):
    scope = scope_for(user)
    held = {a.area.path: a.area for a in assignments if a.area_id}
    if scope.is_global:
        top_areas = list(Area.objects.get_root_nodes()[:HOME_LIST_LIMIT])
    else:
        # The scope's minimal paths are nodes the user holds a role on: already loaded.
        top_areas = [held[path] for path in scope.area_paths if path in held]

    level_counts = dict(areas_in(scope).values_list("level").annotate(n=Count("id")).order_by())
    area_counts = [(level, label, level_counts.get(level, 0)) for level, label in AreaLevel.choices]

    organizations = organizations_in(scope)
    kind_counts = dict(organizations.values_list("kind").annotate(n=Count("id")).order_by())
    org_counts = [(label, kind_counts[kind]) for kind, label in OrganizationKind.choices if kind_counts.get(kind)]
    org_total = sum(kind_counts.values())
    top_orgs = list(organizations.select_related("area").order_by("depth", "kind", "name")[:HOME_LIST_LIMIT])

    staff_roles = {a.role for a in assignments if a.role in STAFF_ROLES}
    role_sections = [
        (role, Role(role).label, [a for a in assignments if a.role == role],
         with_badges(user, tiles_for(user, (), role=role)))
        for role in Role.values
        if role in staff_roles
    ]
    return {
        "scope": scope,
        "top_areas": top_areas,
        "area_counts": [c for c in area_counts if c[2]],
        "area_total": sum(level_counts.values()),
        "org_counts": org_counts,
        "org_total": org_total,
        "top_orgs": top_orgs,
        "more_orgs": max(org_total - len(top_orgs), 0),
        "role_sections": role_sections,
        "is_system_admin": user.is_superuser or Role.SYSTEM_ADMIN in staff_roles,
    }
