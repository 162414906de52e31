"""The organization network an admin or leader looks after (组织网络): the tree under their
organizations, coverage by level and by kind, pairings (包片联村, 结对共建) and the people holding
several offices (交叉任职). Reads only; a constant number of queries whatever the tree's size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from linli.core.scoping import scope_for
from linli.places.choices import AreaLevel
from linli.places.models import Area

from .choices import MembershipRole, NewSector, OrganizationKind
from .models import Membership, Organization, Pairing
from .queries import coverage_by_host, coverage_by_level, organizations_in

OFFICES = (MembershipRole.CHAIR, MembershipRole.VICE_CHAIR, MembershipRole.EXECUTIVE)


@dataclass
class Node:
    organization: Organization
    children: list = field(default_factory=list)

    @property
    def size(self) -> int:
        """This organization and every one under it."""
        return 1 + sum(child.size for child in self.children)


def tree(organizations) -> list[Node]:
    """Nodes for `organizations` (in path order); an organization whose parent is not among them is a root."""
    nodes, roots = {}, []
    step = Organization.steplen
    for organization in organizations:
        node = nodes[organization.path] = Node(organization)
        parent = nodes.get(organization.path[:-step])
        (parent.children if parent else roots).append(node)
    return roots


def home_area(user, organizations):
    """The widest area the person's network serves: the area of their top organization, or of their scope."""
    scope = scope_for(user)
    if scope.is_global:
        return Area.objects.order_by("depth", "path").first()
    if scope.area_paths:
        return Area.objects.filter(path__in=scope.area_paths).order_by("depth").first()
    tops = [o for o in organizations if o.path in scope.org_paths]
    return min((o.area for o in tops), key=lambda a: a.depth, default=None)


@dataclass
class CoverageRow:
    label: str
    total: int
    covered: int
    uncovered: list

    @property
    def percent(self) -> int:
        return round(100 * self.covered / self.total) if self.total else 0


def coverage(area) -> list[CoverageRow]:
    """The figures the seeds quote: women's federations at every level below the area, practice
    stations in the communities, and the 三新 bodies with a federation of their own or above them."""
    rows = []
    levels = [level for level, _label in AreaLevel.choices if level not in (AreaLevel.CITY, AreaLevel.GRID)]
    below = [level for level in levels if levels.index(level) >= levels.index(area.level)] if area.level in levels \
        else levels
    for level in below:
        result = coverage_by_level(area, OrganizationKind.WOMENS_FEDERATION, level)
        rows.append(CoverageRow(_("Women's federations: every %(level)s") % {"level": AreaLevel(level).label},
                                result.total, result.covered, result.uncovered))
    squads = coverage_by_level(area, OrganizationKind.INSTRUCTOR_SQUAD, AreaLevel.STREET)
    if squads.covered:
        rows.append(CoverageRow(_("Instructor squads in every street"), squads.total, squads.covered,
                                squads.uncovered))
    stations = coverage_by_level(area, OrganizationKind.CIV_CENTER, AreaLevel.COMMUNITY)
    rows.append(CoverageRow(_("Practice stations in every community"), stations.total, stations.covered,
                            stations.uncovered))
    for host_kind, sector, label in (
        (OrganizationKind.SOCIAL_ORG, NewSector.NEW_SOCIAL_ORG, _("Women's social organizations with a federation")),
        (OrganizationKind.ENTERPRISE, NewSector.NEW_ECONOMIC_ORG, _("New economic organizations with a federation")),
        (OrganizationKind.BUSINESS_DISTRICT, None, _("Business districts with a federation")),
        (OrganizationKind.INDUSTRIAL_PARK, None, _("Industrial parks with a federation")),
    ):
        result = coverage_by_host(area, host_kind, OrganizationKind.WOMENS_FEDERATION, new_sector=sector)
        if result.total:
            rows.append(CoverageRow(label, result.total, result.covered, result.uncovered))
    return rows


def counts_by_kind(organizations) -> list[tuple[str, int]]:
    counts = defaultdict(int)
    for organization in organizations:
        counts[organization.kind] += 1
    return [(label, counts[kind]) for kind, label in OrganizationKind.choices if counts[kind]]


def pairings(organizations):
    """Pairings of a unit in the network, or with a station in it, with what each links to."""
    ids = [o.pk for o in organizations]
    return list(Pairing.objects.filter(Q(unit_id__in=ids) | Q(station_id__in=ids))
                .select_related("unit", "area", "station").order_by("kind", "unit__name", "id"))


def cross_offices(organizations):
    """People holding an office (chair, vice chair, executive) in two or more organizations of the
    network: [(person, [membership, …])], most offices first."""
    ids = [o.pk for o in organizations]
    holders = (Membership.objects.active().filter(organization_id__in=ids, role__in=OFFICES)
               .values("user").annotate(n=Count("id")).filter(n__gte=2).values("user"))
    memberships = (Membership.objects.active().filter(organization_id__in=ids, role__in=OFFICES, user__in=holders)
                   .select_related("user", "organization__area").order_by("user__name", "organization__path"))
    people = defaultdict(list)
    for membership in memberships:
        people[membership.user].append(membership)
    return sorted(people.items(), key=lambda item: (-len(item[1]), item[0].name))


def network_of(user):
    """Everything the network page shows, or None for someone with no organization in scope."""
    organizations = list(organizations_in(scope_for(user)).select_related("area").order_by("path"))
    if not organizations:
        return None
    area = home_area(user, organizations)
    return {
        "organizations": organizations,
        "roots": tree(organizations),
        "kinds": counts_by_kind(organizations),
        "area": area,
        "coverage": coverage(area) if area else [],
        "pairings": pairings(organizations),
        "cross_offices": cross_offices(organizations),
    }
