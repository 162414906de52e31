"""Leaving a volunteer team and being removed from one (callers import this module directly:
it imports from actions.py, so actions.py cannot import it back).

check_leave_team(user, team)                      a member leaves, or an applicant withdraws
check_decline_invitation(user, membership)        the invitee says no
check_remove_member(leader, membership, reason)   a manager of the team takes a member (or an
                                                  open invitation) off; the member is told

Memberships are rows of orgs.Membership with the member role. One is never deleted: it goes to
`left` (the person ended it) or `removed` (a manager did), and `decided_by` says who, so the team's
history stays.

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
from linli.orgs.choices import MembershipStatus
from linli.orgs.models import Membership

from . import queries
from .actions import VolunteeringError, _require_team

REASON_MAX_LENGTH = 200
TEAM_REMOVED_TOPIC = "volunteering.team_removed"


def _leader_roles(team):
    return RoleAssignment.objects.filter(role=Role.VOLUNTEER_TEAM_LEADER, organization=team, user__is_active=True)


def is_team_leader(user, team) -> bool:
    return _leader_roles(team).filter(user=user).exists()


def check_leave_team(user, team) -> Membership:
    _require_team(team)
    membership = Membership.objects.members().filter(
        organization=team, user=user, status__in=(MembershipStatus.ACTIVE, MembershipStatus.APPLIED)).first()
    if membership is None:
        raise VolunteeringError("not_a_member", _("You are not a member of this team."))
    if membership.status == MembershipStatus.ACTIVE and _is_last_leader(user, team):
        raise VolunteeringError("last_leader", _("You are the team's only leader. Hand the team over to another "
                                                 "leader before you leave."))
    return do_leave_team(user, membership)


def _is_last_leader(user, team) -> bool:
    leaders = set(_leader_roles(team).values_list("user_id", flat=True))
    return leaders == {user.pk}


def do_leave_team(user, membership) -> Membership:
    from linli.accounts.actions import do_revoke_role
    from linli.orgs.models import Organization

    with transaction.atomic():
        # The team row serializes leaders leaving at once: one of the last two must stay.
        Organization.objects.select_for_update().filter(pk=membership.organization_id).first()
        locked = _lock(membership, (MembershipStatus.ACTIVE, MembershipStatus.APPLIED), "not_a_member",
                       _("You are not a member of this team."))
        if locked.status == MembershipStatus.ACTIVE:
            roles = list(_leader_roles(locked.organization).filter(user=user))
            if roles and _is_last_leader(user, locked.organization):
                raise VolunteeringError("last_leader", _("You are the team's only leader. Hand the team over to "
                                                         "another leader before you leave."))
            for role in roles:
                do_revoke_role(role)
            if roles:
                forget_scopes(user)  # this request's user must not keep managing the team
        return _end(locked, MembershipStatus.LEFT, decided_by=user)


def check_decline_invitation(user, membership) -> Membership:
    if membership.user_id != user.pk:
        raise Http404
    if membership.status != MembershipStatus.INVITED:
        raise VolunteeringError("not_invited", _("There is no invitation to decline."))
    return do_decline_invitation(user, membership)


def do_decline_invitation(user, membership) -> Membership:
    with transaction.atomic():
        locked = _lock(membership, (MembershipStatus.INVITED,), "not_invited", _("There is no invitation to decline."))
        return _end(locked, MembershipStatus.LEFT, decided_by=user)


def check_remove_member(leader, membership, reason="") -> Membership:
    _require_team(membership.organization)
    if not queries.can_manage_organization(leader, membership.organization):
        raise Http404
    if membership.user_id == leader.pk:
        raise VolunteeringError("cannot_remove_self", _("To leave the team yourself, use “Leave the team”."))
    if membership.status not in (MembershipStatus.ACTIVE, MembershipStatus.INVITED):
        raise VolunteeringError("not_a_member", _("This person is not a member of the team."))
    if is_team_leader(membership.user, membership.organization):
        raise VolunteeringError("cannot_remove_leader", _("A team leader cannot be removed here."))
    reason = str(reason or "").strip()[:REASON_MAX_LENGTH]
    return do_remove_member(leader, membership, reason)


def do_remove_member(leader, membership, reason="") -> Membership:
    with transaction.atomic():
        locked = _lock(membership, (MembershipStatus.ACTIVE, MembershipStatus.INVITED), "not_a_member",
                       _("This person is not a member of the team."))
        was_member = locked.status == MembershipStatus.ACTIVE
        locked = _end(locked, MembershipStatus.REMOVED, decided_by=leader)
        if was_member:  # a withdrawn invitation needs no message
            emit(TEAM_REMOVED_TOPIC, {"membership": locked.pk, "team": locked.organization_id, "reason": reason})
    return locked


def _lock(membership, allowed, code, message) -> Membership:
    """The membership row, locked, still in one of the `allowed` statuses (it may have moved meanwhile)."""
    locked = Membership.objects.select_for_update().select_related("organization").get(pk=membership.pk)
    if locked.status not in allowed:
        raise VolunteeringError(code, message)
    return locked


def _end(membership, status, decided_by) -> Membership:
    now = timezone.now()
    Membership.objects.filter(pk=membership.pk).update(status=status, decided_by=decided_by, updated_at=now)
    membership.status, membership.decided_by, membership.updated_at = status, decided_by, now
    return membership
