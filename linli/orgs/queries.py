"""Reads on organizations: scoped lists and network coverage. No writes.

Coverage answers "how many of the relevant bodies have one": the seeds'
"302 women's social organizations, 7 social-organization federations, full
coverage", or "every community of 开元街道 has a practice station". Both forms
run a constant number of queries whatever the size of the tree: the bodies and
the organizations are fetched once each and matched in Python by
materialized-path prefix, never one query per body.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q

from linli.core.scoping import scope_for
from linli.places.models import Area

from .models import Organization


@dataclass(frozen=True)
class Coverage:
    """`covered` of `total` bodies have an organization of the kind; `uncovered` lists the others."""

    total: int
    covered: int
    uncovered: list = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        """covered / total, rounded to 4 places; None when there is nothing to cover."""
        return round(self.covered / self.total, 4) if self.total else None


def new_sector_q(tag, prefix=""):
    """Q matching organizations tagged with a NewSector value.

    PostgreSQL tests JSON containment; SQLite cannot, so it matches the quoted
    tag in the JSON text (tags are fixed identifiers, the quotes bound them).
    """
    if connection.features.supports_json_field_contains:
        return Q(**{f"{prefix}new_sectors__contains": [tag]})
    return Q(**{f"{prefix}new_sectors__icontains": f'"{tag}"'})


def coverage_by_level(area, kind, level, *, within=False) -> Coverage:
    """Of the areas of `level` under `area` (itself included), how many have an organization of `kind`.

    E.g. for 思明区, kind ``civ_center`` and level ``community``: how many
    communities have a practice station. An organization counts for the area it
    serves; with `within=True` it also counts for every area above that, up to
    `level` (a women's micro home serving a grid then covers its community).
    Organizations serving an area *above* a body (a city department) do not
    count: the body must have its own. Two queries.
    """
    bodies = list(
        Area.objects.filter(path__startswith=area.path, level=level).order_by("path").only("id", "name", "code", "level", "path")
    )
    served = set(
        Organization.objects.filter(kind=kind, area__path__startswith=area.path).values_list("area__path", flat=True)
    )
    if within and bodies:
        # Areas of one level share one depth, hence one path length.
        width = len(bodies[0].path)
        served = {path[:width] for path in served if len(path) >= width}
    uncovered = [body for body in bodies if body.path not in served]
    return Coverage(total=len(bodies), covered=len(bodies) - len(uncovered), uncovered=uncovered)


def coverage_by_host(area, host_kind, kind, *, new_sector=None) -> Coverage:
    """Of the `host_kind` organizations serving `area`'s subtree, how many have one of `kind` in the tree.

    A host is covered when an organization of `kind` is one of its ancestors
    (a social organization under the district's social-organization federation)
    or one of its children (an enterprise with its own federation). `new_sector`
    keeps only hosts with that NewSector tag. Two queries.
    """
    hosts = Organization.objects.filter(kind=host_kind, area__path__startswith=area.path)
    if new_sector:
        hosts = hosts.filter(new_sector_q(new_sector))
    hosts = list(hosts.select_related("area").order_by("path"))
    if not hosts:
        return Coverage(total=0, covered=0)
    step = Organization.steplen
    ancestor_paths = {host.path[:end] for host in hosts for end in range(step, len(host.path), step)}
    # Children serve areas inside their host's area (actions.validate_placement),
    # so they are among the organizations of `kind` serving the subtree.
    kind_paths = set(
        Organization.objects.filter(kind=kind)
        .filter(Q(path__in=ancestor_paths) | Q(area__path__startswith=area.path))
        .values_list("path", flat=True)
    )
    parents_of_kind = {path[:-step] for path in kind_paths if len(path) > step}

    def covered(host):
        if host.path in parents_of_kind:
            return True
        return any(host.path[:end] in kind_paths for end in range(step, len(host.path), step))

    uncovered = [host for host in hosts if not covered(host)]
    return Coverage(total=len(hosts), covered=len(hosts) - len(uncovered), uncovered=uncovered)


def coverage_visible(user, area) -> bool:
    """Whether `user` may read coverage figures of `area`.

    Anyone whose scope holds the area may; so may a role on an organization
    serving an area that contains it (the city federation's admin reads the
    coverage of the whole city). One query at most, for org roles.
    """
    scope = scope_for(user)
    if scope.contains_area(area):
        return True
    if not scope.org_paths:
        return False
    served = Organization.objects.filter(path__in=scope.org_paths).values_list("area__path", flat=True)
    return any(area.path.startswith(path) for path in served)


def organizations_in(scope):
    """Organizations in an org-role's subtree of a scope, or serving an area in it."""
    return scope.filter(Organization.objects.all(), area_path="area__path", org_path="path")


def organizations_for(user):
    """The organizations `user` may see, in tree order, with their area."""
    return organizations_in(scope_for(user)).select_related("area").order_by("path")


def parent_ids(user, organizations):
    """{organization path: parent id} for the given rows, one query, parents outside the scope left out."""
    step = Organization.steplen
    wanted = {org.path[:-step] for org in organizations if org.depth > 1}
    if not wanted:
        return {}
    found = dict(organizations_in(scope_for(user)).filter(path__in=wanted).values_list("path", "id"))
    return {org.path: found.get(org.path[:-step]) for org in organizations}
