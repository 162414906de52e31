"""Server-rendered organization pages."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from linli.core.scoping import scope_for

from .choices import MembershipRole
from .models import Organization
from .queries import organizations_in

ORGANIZATIONS_PER_PAGE = 50


@login_required
def organization_list(request):
    """Every organization in the person's scope, by kind and name; search by name, filter by kind."""
    from django.core.paginator import Paginator
    from django.http import Http404

    from .choices import OrganizationKind

    scope = scope_for(request.user)
    if scope.is_empty:
        raise Http404
    organizations = organizations_in(scope).select_related("area")
    query = (request.GET.get("q") or "").replace("\x00", "").strip()[:50]
    kind = request.GET.get("kind") or ""
    if query:
        organizations = organizations.filter(name__icontains=query)
    if kind in OrganizationKind.values:
        organizations = organizations.filter(kind=kind)
    page = Paginator(organizations.order_by("kind", "name", "id"), ORGANIZATIONS_PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "orgs/organization_list.html", {
        "page": page, "query": query, "kind": kind, "kinds": OrganizationKind.choices,
    })


@login_required
def organization_detail(request, pk):
    scope = scope_for(request.user)
    organization = scope.get_or_404(
        Organization.objects.select_related("area"), area_path="area__path", org_path="path", pk=pk
    )
    ancestors = [
        (o, scope.contains_organization(o))
        for o in Organization.objects.get_ancestors(organization).select_related("area")
    ]
    children = list(
        scope.filter(
            Organization.objects.get_children(organization).select_related("area"),
            area_path="area__path",
            org_path="path",
        )
    )
    role_counts = dict(organization.memberships.active().values_list("role").annotate(n=Count("id")).order_by())
    members = [(label, role_counts[role]) for role, label in MembershipRole.choices if role_counts.get(role)]
    return render(
        request,
        "orgs/organization_detail.html",
        {
            "organization": organization,
            "ancestors": ancestors,
            "children": children,
            "members": members,
            "member_total": sum(role_counts.values()),
            "area_reachable": scope.contains_area(organization.area),
        },
    )


NETWORK_EXPORTS = ("organizations", "coverage", "pairings", "offices")


def _network_or_404(user):
    from django.http import Http404

    from .network import network_of

    network = network_of(user)
    if network is None:
        raise Http404
    return network


@login_required
def network(request):
    """The organization network under the person's organizations (组织网络): tree, coverage,
    pairings and people holding several offices, each list with its Excel export."""
    from linli.core.registry import panels_for

    network = _network_or_404(request.user)
    context = {**network, "total": len(network["organizations"])}
    # What apps above this floor add (the “6个1” completion beside coverage).
    return render(request, "orgs/network.html", {**context, "panels": panels_for("orgs.network", request, context)})


@login_required
def network_export(request, which):
    from django.http import Http404
    from django.utils.translation import gettext as _

    from linli.core.spreadsheets import workbook_response

    from .choices import MembershipRole, OrganizationKind, PairingKind

    if which not in NETWORK_EXPORTS:
        raise Http404
    network = _network_or_404(request.user)
    step = Organization.steplen
    by_path = {o.path: o for o in network["organizations"]}
    kinds, roles, pairing_kinds = dict(OrganizationKind.choices), dict(MembershipRole.choices), dict(PairingKind.choices)
    if which == "organizations":
        headers = [_("Organization"), _("Kind"), _("Area served"), _("Level in the tree"), _("Above it"),
                   _("New-sector tags")]
        rows = [(o.name, str(o.civ_center_title or kinds.get(o.kind, o.kind)), o.area.name, o.depth,
                 by_path[o.path[:-step]].name if o.path[:-step] in by_path else "",
                 "、".join(str(label) for value, label in _sector_labels() if value in o.new_sectors))
                for o in network["organizations"]]
        widths = (40, 18, 16, 8, 36, 24)
    elif which == "coverage":
        headers = [_("Figure"), _("Total"), _("Covered"), _("Coverage"), _("Not yet covered")]
        rows = [(str(r.label), r.total, r.covered, f"{r.percent}%", "、".join(u.name for u in r.uncovered))
                for r in network["coverage"]]
        widths = (36, 8, 8, 8, 80)
    elif which == "pairings":
        headers = [_("Unit"), _("Kind"), _("Paired with"), _("Since")]
        rows = [(p.unit.name, str(pairing_kinds.get(p.kind, p.kind)), (p.station or p.area).name, p.since)
                for p in network["pairings"]]
        widths = (36, 20, 36, 12)
    else:
        headers = [_("Person"), _("Offices"), _("Organization"), _("Office"), _("Since")]
        rows = [(person.name, len(memberships), m.organization.name, str(roles.get(m.role, m.role)), m.since)
                for person, memberships in network["cross_offices"] for m in memberships]
        widths = (12, 8, 36, 12, 12)
    titles = {"organizations": _("Organizations"), "coverage": _("Coverage"), "pairings": _("Pairings"),
              "offices": _("Several offices")}
    title = str(titles[which])
    return workbook_response(f"{_('Organization network')}-{title}.xlsx", title, headers, rows, widths)


def _sector_labels():
    from .choices import NewSector

    return NewSector.choices
