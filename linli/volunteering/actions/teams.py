"""Teams: join modes, applications, invitations and decisions. The write contract is the package's text."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User, normalize_phone
from linli.orgs.choices import JoinMode, MembershipRole, MembershipStatus, OrganizationKind
from linli.orgs.models import Membership, Organization

from .. import queries
from ..models import Volunteer
from .common import VolunteeringError, _choice

# -- teams ----------------------------------------------------------------------------------


def join_mode_of(team) -> str:
    return Organization.objects.filter(pk=team.pk).values_list("join_mode", flat=True).first() or JoinMode.OPEN


def _require_team(team):
    if team.kind != OrganizationKind.VOLUNTEER_TEAM:
        raise Http404


def check_set_join_mode(leader, team, join_mode) -> Organization:
    _require_team(team)
    if not queries.can_manage_organization(leader, team):
        raise Http404
    join_mode = _choice(join_mode, JoinMode, "join_mode")
    Organization.objects.filter(pk=team.pk).update(join_mode=join_mode)
    team.join_mode = join_mode
    return team


def check_join_team(user, team) -> Membership:
    _require_team(team)
    if not Volunteer.objects.filter(user=user).exists():
        raise VolunteeringError("not_registered", _("Register as a volunteer first."))
    mode = join_mode_of(team)
    if mode == JoinMode.INVITATION:
        raise VolunteeringError("invitation_only", _("This team takes members by invitation only."))
    existing = Membership.objects.members().filter(organization=team, user=user).first()
    if existing and existing.status in (MembershipStatus.ACTIVE, MembershipStatus.APPLIED):
        return existing
    status = MembershipStatus.ACTIVE if mode == JoinMode.OPEN else MembershipStatus.APPLIED
    return _do_set_membership(team, user, status)


def check_invite(leader, team, user) -> Membership:
    _require_team(team)
    if not queries.can_manage_organization(leader, team):
        raise Http404
    existing = Membership.objects.members().filter(organization=team, user=user).first()
    if existing and existing.status == MembershipStatus.ACTIVE:
        return existing
    return _do_set_membership(team, user, MembershipStatus.INVITED, leader)


def check_invite_by_phone(leader, team, phone) -> Membership:
    """`check_invite` for the person signed up with this mobile number (the page and the API
    invite by number); `unknown_phone` when nobody is."""
    number = normalize_phone(phone or "")[:11]
    invitee = User.objects.filter(phone=number, is_active=True).first() if number else None
    if invitee is None:
        raise VolunteeringError("unknown_phone", _("No one has signed up with this mobile number yet."), field="phone")
    return check_invite(leader, team, invitee)


def check_decide_membership(leader, membership, approve: bool) -> Membership:
    if not queries.can_manage_organization(leader, membership.organization):
        raise Http404
    if membership.status != MembershipStatus.APPLIED:
        raise VolunteeringError("not_applied", _("There is no application to decide."))
    return _do_set_membership(membership.organization, membership.user, MembershipStatus.ACTIVE if approve else MembershipStatus.LEFT,
                              leader)


def check_accept_invitation(user, membership) -> Membership:
    if membership.user_id != user.pk:
        raise Http404
    if membership.status != MembershipStatus.INVITED:
        raise VolunteeringError("not_invited", _("There is no invitation to accept."))
    return _do_set_membership(membership.organization, user, MembershipStatus.ACTIVE)


def _do_set_membership(team, user, status, decided_by=None) -> Membership:
    with transaction.atomic():
        membership, _created = Membership.objects.select_for_update().get_or_create(
            organization=team, user=user, role=MembershipRole.MEMBER,
            defaults={"status": status, "decided_by": decided_by},
        )
        if membership.status != status:
            Membership.objects.filter(pk=membership.pk).update(status=status, decided_by=decided_by,
                                                                   updated_at=timezone.now())
            membership.status, membership.decided_by = status, decided_by
    return membership
