"""Leaving a volunteer team and being removed from one (callers import this module directly:
it imports from actions.py, so actions.py cannot import it back).

check_leave_team(user, team)                      a member leaves, or an applicant withdraws
check_decline_invitation(user, membership)        the invitee says no
check_remove_member(leader, membership, reason)   a manager of the team takes a member (or an
                                                  open invitation) off; the member is told

A membership is never deleted: it goes to `left`, and `decided_by` says who ended it (the person
themself, or the manager who removed them), so the team's history stays.

Leaders are people holding Role.VOLUNTEER_TEAM_LEADER on the team (accounts.RoleAssignment).
A leader who leaves gives up that role too; the team's last active leader cannot leave
(`last_leader`), and leaders cannot be removed by another manager (`cannot_remove_leader`):
their role is taken away in the accounts admin first.

What a removed member keeps: sign-ups for activities stay (activities are open to every
volunteer, not to members only); service orders they were already sent on keep them, and their
hours can still be recorded, but they cannot be sent on new ones (service_orders checks for an
active membership when assigning).
"""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.choices import Role
from linli.accounts.models import RoleAssignment
from linli.core.outbox import emit
from linli.core.scoping import forget_scopes

from . import queries
from .actions import VolunteeringError, _require_team
from .choices import MemberStatus
from .models import TeamMembership

REASON_MAX_LENGTH = 200
TEAM_REMOVED_TOPIC = "volunteering.team_removed"


def _leader_roles(team):
    return RoleAssignment.objects.filter(role=Role.VOLUNTEER_TEAM_LEADER, organization=team, user__is_active=True)


def is_team_leader(user, team) -> bool:
    return _leader_roles(team).filter(user=user).exists()


def check_leave_team(user, team) -> TeamMembership:
    _require_team(team)
    membership = TeamMembership.objects.filter(
        team=team, user=user, status__in=(MemberStatus.ACTIVE, MemberStatus.APPLIED)).first()
    if membership is None:
        raise VolunteeringError("not_a_member", _("You are not a member of this team."))
    if membership.status == MemberStatus.ACTIVE and _is_last_leader(user, team):
        raise VolunteeringError("last_leader", _("You are the team's only leader. Hand the team over to another "
                                                 "leader before you leave."))
    return do_leave_team(user, membership)


def _is_last_leader(user, team) -> bool:
    leaders = set(_leader_roles(team).values_list("user_id", flat=True))
    return leaders == {user.pk}


def do_leave_team(user, membership) -> TeamMembership:
    from linli.accounts.actions import do_revoke_role
    from linli.orgs.models import Organization

    with transaction.atomic():
        # The team row serializes leaders leaving at once: one of the last two must stay.
        Organization.objects.select_for_update().filter(pk=membership.team_id).first()
        locked = _lock(membership, (MemberStatus.ACTIVE, MemberStatus.APPLIED), "not_a_member",
                       _("You are not a member of this team."))
        if locked.status == MemberStatus.ACTIVE:
            roles = list(_leader_roles(locked.team).filter(user=user))
            if roles and _is_last_leader(user, locked.team):
                raise VolunteeringError("last_leader", _("You are the team's only leader. Hand the team over to "
                                                         "another leader before you leave."))
            for role in roles:
                do_revoke_role(role)
            if roles:
                forget_scopes(user)  # this request's user must not keep managing the team
        return _end(locked, decided_by=user)


def check_decline_invitation(user, membership) -> TeamMembership:
    if membership.user_id != user.pk:
        raise Http404
    if membership.status != MemberStatus.INVITED:
        raise VolunteeringError("not_invited", _("There is no invitation to decline."))
    return do_decline_invitation(user, membership)


def do_decline_invitation(user, membership) -> TeamMembership:
    with transaction.atomic():
        locked = _lock(membership, (MemberStatus.INVITED,), "not_invited", _("There is no invitation to decline."))
        return _end(locked, decided_by=user)


def check_remove_member(leader, membership, reason="") -> TeamMembership:
    _require_team(membership.team)
    if not queries.can_manage_organization(leader, membership.team):
        raise Http404
    if membership.user_id == leader.pk:
        raise VolunteeringError("cannot_remove_self", _("To leave the team yourself, use “Leave the team”."))
    if membership.status not in (MemberStatus.ACTIVE, MemberStatus.INVITED):
        raise VolunteeringError("not_a_member", _("This person is not a member of the team."))
    if is_team_leader(membership.user, membership.team):
        raise VolunteeringError("cannot_remove_leader", _("A team leader cannot be removed here."))
    reason = str(reason or "").strip()[:REASON_MAX_LENGTH]
    return do_remove_member(leader, membership, reason)


def do_remove_member(leader, membership, reason="") -> TeamMembership:
    with transaction.atomic():
        locked = _lock(membership, (MemberStatus.ACTIVE, MemberStatus.INVITED), "not_a_member",
                       _("This person is not a member of the team."))
        was_member = locked.status == MemberStatus.ACTIVE
        locked = _end(locked, decided_by=leader)
        if was_member:  # a withdrawn invitation needs no message
            emit(TEAM_REMOVED_TOPIC, {"membership": locked.pk, "team": locked.team_id, "reason": reason})
    return locked


def _lock(membership, allowed, code, message) -> TeamMembership:
    """The membership row, locked, still in one of the `allowed` statuses (it may have moved meanwhile)."""
    locked = TeamMembership.objects.select_for_update().select_related("team").get(pk=membership.pk)
    if locked.status not in allowed:
        raise VolunteeringError(code, message)
    return locked


def _end(membership, decided_by) -> TeamMembership:
    now = timezone.now()
    TeamMembership.objects.filter(pk=membership.pk).update(status=MemberStatus.LEFT, decided_by=decided_by,
                                                           updated_at=now)
    membership.status, membership.decided_by, membership.updated_at = MemberStatus.LEFT, decided_by, now
    return membership
