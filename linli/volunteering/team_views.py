"""Team pages: volunteers find teams serving their area, join or apply, accept or decline invitations,
leave; leaders see members, decide applications, invite by mobile number, remove members and set
how people join."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.errors import ActionError
from linli.orgs.choices import JoinMode, MembershipRole, MembershipStatus
from linli.orgs.models import Membership, Organization

from . import actions, queries, team_actions
from .models import Volunteer

# Enough for any one team's page on a phone; bigger teams are managed in the admin export.
MEMBER_LIST_LIMIT = 200


@login_required
def my_teams(request):
    """A leader's teams: members, applications waiting, and the ways to their menu, activities and orders."""
    from django.db.models import Count, Q

    teams = list(
        queries.managed_organizations(request.user).filter(kind="volunteer_team").select_related("area")
        .annotate(
            member_count=Count("memberships", filter=queries.ACTIVE_MEMBER_ROWS, distinct=True),
            waiting_count=Count("memberships", filter=Q(memberships__role=MembershipRole.MEMBER,
                                                        memberships__status=MembershipStatus.APPLIED), distinct=True),
            offering_count=Count("service_offerings", filter=Q(service_offerings__active=True), distinct=True),
        ).order_by("name")
    )
    if not teams:
        raise Http404
    return render(request, "volunteering/my_teams.html", {"teams": teams})


@login_required
def team_list(request):
    volunteer = Volunteer.objects.filter(user=request.user).select_related("area").first()
    teams = list(queries.teams_for(request.user, volunteer))
    return render(request, "volunteering/teams.html", {
        "volunteer": volunteer,
        "teams": [t for t in teams if t.my_status != MembershipStatus.INVITED],
        "invitations": [t for t in teams if t.my_status == MembershipStatus.INVITED],
        "is_manager": queries.is_manager(request.user),
    })


def _volunteer_team(pk):
    return get_object_or_404(Organization.objects.select_related("area"), pk=pk, kind="volunteer_team")


@login_required
@require_POST
def join_team(request, pk):
    team = _volunteer_team(pk)
    try:
        membership = actions.check_join_team(request.user, team)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        if membership.status == MembershipStatus.ACTIVE:
            messages.success(request, _("You have joined %(team)s.") % {"team": team.name})
        else:
            messages.info(request, _("Your application to %(team)s is sent; the team leader will decide.") % {
                "team": team.name})
    return redirect("volunteering:teams")


@login_required
@require_POST
def accept_invitation(request, pk):
    membership = get_object_or_404(Membership.objects.members().select_related("organization"), organization_id=pk,
                                   user=request.user)
    try:
        actions.check_accept_invitation(request.user, membership)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You have joined %(team)s.") % {"team": membership.organization.name})
    return redirect("volunteering:teams")


@login_required
@require_POST
def leave_team(request, pk):
    team = _volunteer_team(pk)
    was_applied = Membership.objects.members().filter(organization=team, user=request.user,
                                                       status=MembershipStatus.APPLIED).exists()
    try:
        team_actions.check_leave_team(request.user, team)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        if was_applied:
            messages.info(request, _("Your application to %(team)s is withdrawn.") % {"team": team.name})
        else:
            messages.success(request, _("You have left %(team)s.") % {"team": team.name})
    return redirect("volunteering:teams")


@login_required
@require_POST
def decline_invitation(request, pk):
    membership = get_object_or_404(Membership.objects.members().select_related("organization"), organization_id=pk,
                                   user=request.user)
    try:
        team_actions.check_decline_invitation(request.user, membership)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.info(request, _("Invitation declined."))
    return redirect("volunteering:teams")


# -- leaders --------------------------------------------------------------------------------


def _managed_team(user, pk):
    team = Organization.objects.select_related("area").filter(pk=pk, kind="volunteer_team").first()
    if team is None or not queries.can_manage_organization(user, team):
        raise Http404
    return team


@login_required
def manage_team(request, pk):
    team = _managed_team(request.user, pk)
    return render(request, "volunteering/team_manage.html", {
        "team": team,
        "join_mode": actions.join_mode_of(team),
        "join_modes": JoinMode.choices,
        "members": list(queries.with_leader_flag(queries.team_memberships(team, MembershipStatus.ACTIVE), team)
                        [:MEMBER_LIST_LIMIT]),
        "applications": list(queries.team_memberships(team, MembershipStatus.APPLIED)[:MEMBER_LIST_LIMIT]),
        "invited": list(queries.team_memberships(team, MembershipStatus.INVITED)[:MEMBER_LIST_LIMIT]),
    })


@login_required
@require_POST
def set_join_mode(request, pk):
    team = _managed_team(request.user, pk)
    try:
        actions.check_set_join_mode(request.user, team, request.POST.get("join_mode"))
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Saved: how people join the team."))
    return redirect("volunteering:manage_team", pk=team.pk)


@login_required
@require_POST
def invite(request, pk):
    team = _managed_team(request.user, pk)
    try:
        membership = actions.check_invite_by_phone(request.user, team, request.POST.get("phone"))
    except ActionError as error:
        messages.error(request, error.message)
    else:
        if membership.status == MembershipStatus.ACTIVE:
            messages.info(request, _("This person is already a member."))
        else:
            messages.success(request, _("Invitation sent; it shows on their team page."))
    return redirect("volunteering:manage_team", pk=team.pk)


@login_required
@require_POST
def decide(request, pk, membership_pk):
    team = _managed_team(request.user, pk)
    membership = get_object_or_404(Membership.objects.members().select_related("organization"), pk=membership_pk,
                                   organization=team)
    approve = request.POST.get("decision") == "approve"
    try:
        actions.check_decide_membership(request.user, membership, approve)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Application approved.") if approve else _("Application declined."))
    return redirect("volunteering:manage_team", pk=team.pk)


@login_required
@require_POST
def remove_member(request, pk, membership_pk):
    team = _managed_team(request.user, pk)
    membership = get_object_or_404(Membership.objects.members().select_related("organization", "user"), pk=membership_pk,
                                   organization=team)
    try:
        team_actions.check_remove_member(request.user, membership, request.POST.get("reason", ""))
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s is no longer a member of the team.") % {"name": membership.user.name})
    return redirect("volunteering:manage_team", pk=team.pk)
