"""Volunteer teams in the API (mounted at /api/volunteering/teams/ by api.register).

    GET   teams/?q=&area=                     teams serving your area, those you belong to and those you manage
    GET   teams/{id}/                         one team (with `can_manage`)
    POST  teams/{id}/join/                    open team: member at once; by approval: an application
    POST  teams/{id}/leave/                   leave, or withdraw an application (the last leader cannot)
    POST  teams/{id}/accept-invitation/  teams/{id}/decline-invitation/
  the team's managers (leaders; organization and system admins over it):
    GET   teams/{id}/members/?status=         memberships, masked phones, volunteer numbers (no ID numbers)
    POST  teams/{id}/invite/                  {"phone"}: invite the person with this mobile number
    POST  teams/{id}/memberships/{mid}/decide/   {"approve": true|false}
    POST  teams/{id}/memberships/{mid}/remove/   {"reason"?}  (not leaders, not yourself)
    PATCH|POST teams/{id}/join-mode/          {"join_mode": "open"|"approval"|"invitation"}

Errors: 400 with the actions' codes; 404 for a team you cannot see or do not manage, and for a
membership outside the team.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from linli.core.api import ActionErrorsMixin, error_responses
from linli.core.ids import parse_id
from linli.orgs.choices import JoinMode, MembershipStatus
from linli.orgs.models import Membership, Organization
from linli.places.models import Area

from . import actions, queries, team_actions
from .models import Volunteer

ERRORS = error_responses(not_found="no such team or membership, or not one you may see or manage")
SEARCH_MAX_LENGTH = 100
AREA_CODE_MAX_LENGTH = 32
# Members listed by default: everyone but those who left or were removed (?status=left shows them).
CURRENT_STATUSES = (MembershipStatus.ACTIVE, MembershipStatus.APPLIED, MembershipStatus.INVITED)


def _id(value):
    """A path id as an int, or 404 for anything that is not one (strings, huge numbers)."""
    number = parse_id(str(value))
    if number is None:
        raise Http404
    return number


# -- serializers ----------------------------------------------------------------------------------


class VolunteerTeamSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code", read_only=True, help_text="code of the area it serves")
    area_name = serializers.CharField(source="area.name", read_only=True)
    join_mode = serializers.ChoiceField(JoinMode.choices, read_only=True)
    member_count = serializers.IntegerField(read_only=True, help_text="active members")
    my_status = serializers.CharField(read_only=True, help_text='your membership: "applied", "invited", "active", '
                                                                '"left", "removed", or "" when you have none')

    class Meta:
        model = Organization
        fields = ["id", "name", "area", "area_name", "join_mode", "member_count", "my_status"]


class VolunteerTeamDetailSerializer(VolunteerTeamSerializer):
    can_manage = serializers.BooleanField(read_only=True, help_text="you may see members, invite, decide, remove")

    class Meta(VolunteerTeamSerializer.Meta):
        fields = [*VolunteerTeamSerializer.Meta.fields, "can_manage"]


class MyTeamMembershipSerializer(serializers.ModelSerializer):
    team = serializers.IntegerField(source="organization_id", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "team", "status", "created_at", "updated_at"]


class TeamMemberSerializer(serializers.ModelSerializer):
    """A membership as the team's managers see it: masked phone, volunteer number, never the ID number."""

    user = serializers.IntegerField(source="user_id", read_only=True, help_text="the person's id (for assigning)")
    name = serializers.SerializerMethodField()
    volunteer_number = serializers.SerializerMethodField()
    phone = serializers.CharField(source="user.masked_phone", read_only=True, help_text="masked: 139****0021")
    is_leader = serializers.BooleanField(read_only=True, help_text="holds the team leader role on the team")

    class Meta:
        model = Membership
        fields = ["id", "user", "name", "volunteer_number", "phone", "status", "is_leader", "created_at",
                  "updated_at"]

    @staticmethod
    def _volunteer(membership):
        return getattr(membership.user, "volunteer", None)

    def get_name(self, membership) -> str:
        volunteer = self._volunteer(membership)
        return volunteer.name if volunteer else membership.user.name

    def get_volunteer_number(self, membership) -> str:
        volunteer = self._volunteer(membership)
        return volunteer.number if volunteer else ""


class TeamInviteSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20, help_text="mobile number of the person to invite")


class TeamDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(help_text="true: a member; false: the application is declined")


class TeamRemoveSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=team_actions.REASON_MAX_LENGTH,
                                   help_text="told to the person removed")


class TeamJoinModeSerializer(serializers.Serializer):
    join_mode = serializers.ChoiceField(JoinMode.choices)


# -- views ----------------------------------------------------------------------------------------

ID_PARAMETER = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)
MEMBERSHIP_PARAMETER = OpenApiParameter("membership_id", OpenApiTypes.INT, OpenApiParameter.PATH,
                                        description="id of a membership of the team")


@extend_schema(parameters=[ID_PARAMETER])
class TeamViewSet(ActionErrorsMixin, viewsets.GenericViewSet):
    serializer_class = VolunteerTeamSerializer
    queryset = Organization.objects.none()
    lookup_value_regex = r"[^/]+"  # anything reaches the view, which answers 404 for what is not an id

    def _visible(self):
        user = self.request.user
        volunteer = Volunteer.objects.filter(user=user).select_related("area").first()
        return queries.teams_for(user, volunteer, include_managed=True)

    def _team(self, pk):
        team = self._visible().filter(pk=_id(pk)).first()
        if team is None:
            raise Http404
        return team

    def _managed_team(self, pk):
        team = queries.managed_teams(self.request.user).select_related("area").filter(pk=_id(pk)).first()
        if team is None:
            raise Http404
        return team

    def _membership(self, team, membership_id):
        membership = Membership.objects.members().select_related("organization", "user").filter(
            pk=_id(membership_id), organization=team).first()
        if membership is None:
            raise Http404
        return membership

    def _detail(self, pk):
        team = self._team(pk)
        team.can_manage = queries.can_manage_organization(self.request.user, team)
        return Response(VolunteerTeamDetailSerializer(team).data)

    def _member(self, membership):
        membership = queries.team_members(membership.organization_id, MembershipStatus.values).get(pk=membership.pk)
        return Response(TeamMemberSerializer(membership).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="part of the team's name"),
            OpenApiParameter("area", str, description="area code: teams of this area and the areas under it"),
        ],
        responses={200: VolunteerTeamSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401]},
    )
    def list(self, request):
        queryset = self._visible()
        # PostgreSQL refuses NUL in text: drop it from the search, refuse it in a code.
        search = request.query_params.get("q", "").replace("\x00", "").strip()[:SEARCH_MAX_LENGTH]
        if search:
            queryset = queryset.filter(name__icontains=search)
        code = request.query_params.get("area", "").strip()
        if code:
            area = None
            if code.isascii() and code.isalnum() and len(code) <= AREA_CODE_MAX_LENGTH:
                area = Area.objects.filter(code=code).only("path").first()
            if area is None:
                raise actions.VolunteeringError("invalid", _("No area has this code."), field="area")
            queryset = queryset.filter(area__path__startswith=area.path)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(VolunteerTeamSerializer(page, many=True).data)

    @extend_schema(responses={200: VolunteerTeamDetailSerializer, 401: ERRORS[401], 404: ERRORS[404]})
    def retrieve(self, request, pk=None):
        return self._detail(pk)

    # -- the volunteer's side

    @extend_schema(request=None, responses={200: MyTeamMembershipSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def join(self, request, pk=None):
        membership = actions.check_join_team(request.user, self._team(pk))
        return Response(MyTeamMembershipSerializer(membership).data)

    @extend_schema(request=None, responses={200: MyTeamMembershipSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        membership = team_actions.check_leave_team(request.user, self._team(pk))
        return Response(MyTeamMembershipSerializer(membership).data)

    def _my_invitation(self, pk):
        membership = Membership.objects.members().select_related("organization").filter(
            organization=self._team(pk), user=self.request.user).first()
        if membership is None:
            raise actions.VolunteeringError("not_invited", _("You have no invitation from this team."))
        return membership

    @extend_schema(request=None, responses={200: MyTeamMembershipSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="accept-invitation")
    def accept_invitation(self, request, pk=None):
        membership = actions.check_accept_invitation(request.user, self._my_invitation(pk))
        return Response(MyTeamMembershipSerializer(membership).data)

    @extend_schema(request=None, responses={200: MyTeamMembershipSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="decline-invitation")
    def decline_invitation(self, request, pk=None):
        membership = team_actions.check_decline_invitation(request.user, self._my_invitation(pk))
        return Response(MyTeamMembershipSerializer(membership).data)

    # -- the managers' side

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=MembershipStatus.values,
                                     description="only this status; default: all but `left` and `removed`")],
        responses={200: TeamMemberSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get"])
    def members(self, request, pk=None):
        team = self._managed_team(pk)
        status = request.query_params.get("status", "")
        if status and status not in MembershipStatus.values:
            raise actions.VolunteeringError("invalid", _("Choose one of the offered values."), field="status")
        page = self.paginate_queryset(queries.team_members(team, [status] if status else CURRENT_STATUSES))
        return self.get_paginated_response(TeamMemberSerializer(page, many=True).data)

    @extend_schema(request=TeamInviteSerializer, responses={200: TeamMemberSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        team = self._managed_team(pk)
        data = TeamInviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._member(actions.check_invite_by_phone(request.user, team, data.validated_data["phone"]))

    @extend_schema(parameters=[MEMBERSHIP_PARAMETER], request=TeamDecisionSerializer,
                   responses={200: TeamMemberSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path=r"memberships/(?P<membership_id>[^/]+)/decide")
    def decide(self, request, pk=None, membership_id=None):
        membership = self._membership(self._managed_team(pk), membership_id)
        data = TeamDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._member(actions.check_decide_membership(request.user, membership, data.validated_data["approve"]))

    @extend_schema(parameters=[MEMBERSHIP_PARAMETER], request=TeamRemoveSerializer,
                   responses={200: TeamMemberSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path=r"memberships/(?P<membership_id>[^/]+)/remove")
    def remove(self, request, pk=None, membership_id=None):
        membership = self._membership(self._managed_team(pk), membership_id)
        data = TeamRemoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        removed = team_actions.check_remove_member(request.user, membership, data.validated_data.get("reason", ""))
        return self._member(removed)

    @extend_schema(request=TeamJoinModeSerializer, responses={200: VolunteerTeamDetailSerializer, **ERRORS})
    @action(detail=True, methods=["patch", "post"], url_path="join-mode")
    def join_mode(self, request, pk=None):
        team = self._managed_team(pk)
        data = TeamJoinModeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.check_set_join_mode(request.user, team, data.validated_data["join_mode"])
        return self._detail(team.pk)
