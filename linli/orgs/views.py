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
