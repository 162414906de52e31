"""Server-rendered organization pages."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from linli.core.scoping import scope_for

from .choices import MembershipRole
from .models import Organization


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
    role_counts = dict(organization.memberships.values_list("role").annotate(n=Count("id")).order_by())
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
