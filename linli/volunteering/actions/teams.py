"""Teams: join modes, applications, invitations and decisions. The write contract is the package's text."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User, normalize_phone
from linli.orgs.choices import OrganizationKind

from .. import queries
from ..choices import (
    JoinMode,
    MemberStatus,
)
from ..models import (
    TeamMembership,
    TeamSettings,
    Volunteer,
)
from .common import VolunteeringError, _choice

# -- teams ----------------------------------------------------------------------------------


def join_mode_of(team) -> str:
    settings_row = TeamSettings.objects.filter(team=team).first()
    return settings_row.join_mode if settings_row else JoinMode.OPEN


def _require_team(team):
    if team.kind != OrganizationKind.VOLUNTEER_TEAM:
        raise Http404


def check_set_join_mode(leader, team, join_mode) -> TeamSettings:
    _require_team(team)
    if not queries.can_manage_organization(leader, team):
        raise Http404
    join_mode = _choice(join_mode, JoinMode, "join_mode")
    with transaction.atomic():
        row, _created = TeamSettings.objects.update_or_create(team=team, defaults={"join_mode": join_mode})
    return row


def check_join_team(user, team) -> TeamMembership:
    _require_team(team)
    if not Volunteer.objects.filter(user=user).exists():
        raise VolunteeringError("not_registered", _("Register as a volunteer first."))
    mode = join_mode_of(team)
    if mode == JoinMode.INVITATION:
        raise VolunteeringError("invitation_only", _("This team takes members by invitation only."))
    existing = TeamMembership.objects.filter(team=team, user=user).first()
    if existing and existing.status in (MemberStatus.ACTIVE, MemberStatus.APPLIED):
        return existing
    status = MemberStatus.ACTIVE if mode == JoinMode.OPEN else MemberStatus.APPLIED
    return _do_set_membership(team, user, status)


def check_invite(leader, team, user) -> TeamMembership:
    _require_team(team)
    if not queries.can_manage_organization(leader, team):
        raise Http404
    existing = TeamMembership.objects.filter(team=team, user=user).first()
    if existing and existing.status == MemberStatus.ACTIVE:
        return existing
    return _do_set_membership(team, user, MemberStatus.INVITED, leader)


def check_invite_by_phone(leader, team, phone) -> TeamMembership:
    """`check_invite` for the person signed up with this mobile number (the page and the API
    invite by number); `unknown_phone` when nobody is."""
    number = normalize_phone(phone or "")[:11]
    invitee = User.objects.filter(phone=number, is_active=True).first() if number else None
    if invitee is None:
        raise VolunteeringError("unknown_phone", _("No one has signed up with this mobile number yet."), field="phone")
    return check_invite(leader, team, invitee)


def check_decide_membership(leader, membership, approve: bool) -> TeamMembership:
    if not queries.can_manage_organization(leader, membership.team):
        raise Http404
    if membership.status != MemberStatus.APPLIED:
        raise VolunteeringError("not_applied", _("There is no application to decide."))
    return _do_set_membership(membership.team, membership.user, MemberStatus.ACTIVE if approve else MemberStatus.LEFT,
                              leader)


def check_accept_invitation(user, membership) -> TeamMembership:
    if membership.user_id != user.pk:
        raise Http404
    if membership.status != MemberStatus.INVITED:
        raise VolunteeringError("not_invited", _("There is no invitation to accept."))
    return _do_set_membership(membership.team, user, MemberStatus.ACTIVE)


def _do_set_membership(team, user, status, decided_by=None) -> TeamMembership:
    with transaction.atomic():
        membership, _created = TeamMembership.objects.select_for_update().get_or_create(
            team=team, user=user, defaults={"status": status, "decided_by": decided_by}
        )
        if membership.status != status:
            TeamMembership.objects.filter(pk=membership.pk).update(status=status, decided_by=decided_by,
                                                                   updated_at=timezone.now())
            membership.status, membership.decided_by = status, decided_by
    return membership
