"""Points API (mounted at /api/points/).

    GET  /api/points/statement/?before=           my balance and entries, newest first (keyset by entry id)
    GET  /api/points/leaderboard/?period=&area=&date=   红色积分榜: net points earned in a month/quarter/year
    GET  /api/points/rewards/                     the rewards of my community's shop (积分超市)
    POST /api/points/rewards/{id}/redeem/         takes the points and one from stock; gives a pickup code
    GET  /api/points/redemptions/                 my redemptions, newest first
    POST /api/points/redemptions/{id}/cancel/     mine, or one staff manage: points and stock back
    POST /api/points/redemptions/fulfil/          {"code": ...}: staff of the provider hand the reward over (核销)
    POST /api/points/fulfil/                      the same (older path, deprecated)

Staff of the shop (积分超市) — "points.manage" over the reward's community or its provider;
anyone else 403 on lists and creation, 404 on an object:
    GET/POST   /api/points/catalog/               the rewards they manage / add one
    GET/PATCH  /api/points/catalog/{id}/          one reward / change some of its fields
    GET  /api/points/catalog/redemptions/?status=&reward=&before=   redemptions of their rewards, newest first
    POST /api/points/adjustments/                 {"user" or "mobile", "delta", "reason", "key"}: a correction
                                                  of a resident of their area, once per key (a UUID)

Errors: bad input 400 with a `code` (insufficient_points, out_of_stock, limit_reached, not_available,
not_pending; fulfil: already_fulfilled, cancelled), anything outside the user's reach 404. Fulfil answers
a code that is unknown or not among the user's rewards alike: 404 `unknown_code`.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from linli.accounts.models import User, normalize_phone
from linli.core.scoping import scope_for
from linli.core.api import ActionErrorsMixin, ApiErrorSerializer, error_body, error_responses
from linli.core.ids import MAX_ID, parse_id
from linli.orgs.models import Organization
from linli.places.models import Area

from . import actions, queries
from .choices import EntryKind, Period, RedemptionStatus, RewardKind
from .models import Redemption
from .templatetags.points import masked_person

MIN_YEAR, MAX_YEAR = 2000, 2999

ERRORS = error_responses("no such object, or outside your reach")
FORBIDDEN = OpenApiResponse(ApiErrorSerializer, description="`permission_denied`: not staff of a rewards shop")


def object_id(value):
    """A path id the database can hold, or 404."""
    number = parse_id(value)
    if number is None:
        raise Http404
    return number


# -- serializers --------------------------------------------------------------------------------


class EntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    delta = serializers.IntegerField(help_text=_("points, negative when taken"))
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    reference = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class StatementQuerySerializer(serializers.Serializer):
    before = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                                      help_text=_("entry id: the page of older entries"))


class StatementSerializer(serializers.Serializer):
    balance = serializers.IntegerField()
    entries = EntrySerializer(many=True)
    next_before = serializers.IntegerField(allow_null=True, help_text=_("`before` of the next page; null on the last"))


class LeaderboardQuerySerializer(serializers.Serializer):
    area = serializers.RegexField(r"^[0-9]{1,15}$", help_text=_("area code (a street, a community, …)"))
    period = serializers.ChoiceField(choices=Period.choices, default=Period.MONTH)
    date = serializers.DateField(required=False, help_text=_("a day of the period (default: today)"))

    def validate_date(self, value):
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise serializers.ValidationError(_("Choose a date between %(a)d and %(b)d.") % {"a": MIN_YEAR, "b": MAX_YEAR})
        return value


class RankSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    name = serializers.CharField(help_text=_("display name; never a phone number"))
    points = serializers.IntegerField()


class LeaderboardSerializer(serializers.Serializer):
    area = serializers.CharField()
    period = serializers.ChoiceField(choices=Period.choices)
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    ranks = RankSerializer(many=True)


class RewardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    kind = serializers.ChoiceField(choices=RewardKind.choices)
    cost = serializers.IntegerField()
    stock = serializers.IntegerField()
    per_person_limit = serializers.IntegerField(allow_null=True)
    available_until = serializers.DateTimeField(allow_null=True)
    community = serializers.CharField(source="community.name")
    provider = serializers.CharField(source="provider.name", default="", allow_null=True)


class RedemptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reward = serializers.CharField(source="reward.name")
    points = serializers.IntegerField()
    code = serializers.CharField(help_text=_("pickup code to show the provider"))
    status = serializers.ChoiceField(choices=RedemptionStatus.choices)
    created_at = serializers.DateTimeField()
    fulfilled_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)


class FulfilSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20, help_text=_("the pickup code the resident shows"))


class FulfilledSerializer(RedemptionSerializer):
    person = serializers.SerializerMethodField(help_text=_("who redeemed it, masked"))

    def get_person(self, redemption) -> str:
        return masked_person(redemption.user)


class StaffRewardSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    community = serializers.IntegerField(source="community_id", min_value=1, max_value=MAX_ID,
                                         help_text=_("id of the community whose shop it is in"))
    community_name = serializers.CharField(source="community.name", read_only=True)
    provider = serializers.IntegerField(source="provider_id", min_value=1, max_value=MAX_ID, allow_null=True,
                                        required=False, help_text=_("id of the organization giving it; null: the community"))
    provider_name = serializers.CharField(source="provider.name", read_only=True, default="")
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    kind = serializers.ChoiceField(choices=RewardKind.choices, default=RewardKind.GOODS)
    cost = serializers.IntegerField()
    stock = serializers.IntegerField()
    per_person_limit = serializers.IntegerField(allow_null=True, required=False, default=None)
    available_from = serializers.DateTimeField(allow_null=True, required=False, default=None)
    available_until = serializers.DateTimeField(allow_null=True, required=False, default=None)
    active = serializers.BooleanField(default=True)
    pending = serializers.IntegerField(read_only=True, default=0, help_text=_("redemptions to pick up"))


class StaffRedemptionQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RedemptionStatus.choices, required=False)
    reward = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    before = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                                      help_text=_("redemption id: the page of older ones"))


class StaffRedemptionSerializer(FulfilledSerializer):
    reward_id = serializers.IntegerField()
    community = serializers.CharField(source="reward.community.name")


class StaffRedemptionPageSerializer(serializers.Serializer):
    results = StaffRedemptionSerializer(many=True)
    next_before = serializers.IntegerField(allow_null=True, help_text=_("`before` of the next page; null on the last"))


class AdjustmentSerializer(serializers.Serializer):
    user = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text=_("the resident's id"))
    mobile = serializers.CharField(required=False, max_length=20, help_text=_("or the resident's mobile number"))
    delta = serializers.IntegerField(help_text=_("points to add (negative: to take)"))
    reason = serializers.CharField(max_length=200)
    # A string (DRF's UUIDField would also take a number as a UUID); the action parses it.
    key = serializers.CharField(max_length=64, help_text=_("a UUID made by the client once per correction: a retry "
                                                           "with the same key posts once"))

    def validate(self, data):
        if ("user" in data) == ("mobile" in data):
            raise serializers.ValidationError(_("Give the resident's id or their mobile number."))
        return data


class AdjustedSerializer(EntrySerializer):
    balance = serializers.IntegerField()
    person = serializers.CharField(help_text=_("who, masked"))


# -- views ----------------------------------------------------------------------------------------


class StatementView(APIView):
    @extend_schema(summary="My points: balance and entries, newest first", parameters=[StatementQuerySerializer],
                   responses={200: StatementSerializer, 400: ERRORS[400], 401: ERRORS[401]})
    def get(self, request):
        query = StatementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(StatementSerializer(queries.statement(request.user, query.validated_data.get("before"))).data)


class LeaderboardView(APIView):
    @extend_schema(summary="红色积分榜: net points earned in an area over a month, quarter or year",
                   parameters=[LeaderboardQuerySerializer],
                   responses={200: LeaderboardSerializer, 400: ERRORS[400], 401: ERRORS[401]})
    def get(self, request):
        query = LeaderboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        day = data.get("date") or timezone.localdate()
        start, end = queries.period_bounds(data["period"], day)
        ranks = queries.leaderboard(data["area"], data["period"], day)
        return Response(LeaderboardSerializer(
            {"area": data["area"], "period": data["period"], "start": start, "end": end, "ranks": ranks}).data)


class RewardListView(APIView):
    @extend_schema(summary="The rewards of my community's shop", responses={200: RewardSerializer(many=True),
                                                                           401: ERRORS[401]})
    def get(self, request):
        return Response(RewardSerializer(queries.shop_rewards(request.user), many=True).data)


class RedeemView(ActionErrorsMixin, APIView):
    @extend_schema(summary="Redeem a reward", request=None,
                   responses={201: RedemptionSerializer, 400: ERRORS[400], 401: ERRORS[401], 404: ERRORS[404]})
    def post(self, request, pk):
        redemption = actions.check_redeem(request.user, object_id(pk))
        return Response(RedemptionSerializer(redemption).data, status=status.HTTP_201_CREATED)


class RedemptionListView(APIView):
    @extend_schema(summary="My redemptions, newest first (the latest 100)",
                   responses={200: RedemptionSerializer(many=True), 401: ERRORS[401]})
    def get(self, request):
        return Response(RedemptionSerializer(queries.my_redemptions(request.user)[:100], many=True).data)


class CancelView(ActionErrorsMixin, APIView):
    @extend_schema(summary="Cancel a redemption not yet picked up: points and stock back", request=None,
                   responses={200: RedemptionSerializer, 400: ERRORS[400], 401: ERRORS[401], 404: ERRORS[404]})
    def post(self, request, pk):
        redemption = actions.check_cancel(request.user, object_id(pk))
        return Response(RedemptionSerializer(Redemption.objects.select_related("reward").get(pk=redemption.pk)).data)


UNKNOWN_CODE = OpenApiResponse(ApiErrorSerializer, description="`unknown_code`: no such code among your rewards "
                               "(an unknown code and one of another community's rewards answer alike)")


class FulfilView(ActionErrorsMixin, APIView):
    @extend_schema(summary="Hand a reward over against its pickup code (核销)", request=FulfilSerializer,
                   responses={200: FulfilledSerializer, 400: ERRORS[400], 401: ERRORS[401], 404: UNKNOWN_CODE})
    def post(self, request):
        body = FulfilSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            redemption = actions.check_fulfil(request.user, body.validated_data["code"])
        except Http404:
            return Response(error_body("unknown_code", _("No redemption with this code among your rewards.")),
                            status=status.HTTP_404_NOT_FOUND)
        redemption = Redemption.objects.select_related("reward", "user").get(pk=redemption.pk)
        return Response(FulfilledSerializer(redemption).data)


class OldFulfilView(FulfilView):
    @extend_schema(deprecated=True, summary="Hand a reward over (older path of /api/points/redemptions/fulfil/)",
                   request=FulfilSerializer,
                   responses={200: FulfilledSerializer, 400: ERRORS[400], 401: ERRORS[401], 404: UNKNOWN_CODE})
    def post(self, request):
        return super().post(request)


# -- staff -----------------------------------------------------------------------------------------


def _require_staff(user):
    if scope_for(user, "points.manage").is_empty:
        raise PermissionDenied


def _reward_data(values):
    """Serializer values as check_save_reward takes them: ids resolved (an unknown id as None,
    which the action refuses like one outside the scope)."""
    data = dict(values)
    community_id = data.pop("community_id", None)
    provider_id = data.pop("provider_id", None)
    data["community"] = Area.objects.filter(pk=community_id).first() if community_id else None
    data["provider"] = Organization.objects.select_related("area").filter(pk=provider_id).first() \
        if provider_id else None
    if provider_id and data["provider"] is None:
        raise actions.PointsError("bad_reward", _("You cannot add rewards of this provider."), field="provider")
    return data


def _with_pending(rewards):
    pending = queries.redemption_counts(rewards)
    for reward in rewards:
        reward.pending = pending.get(reward.pk, 0)
    return rewards


class CatalogView(ActionErrorsMixin, APIView):
    @extend_schema(summary="The rewards I manage (the latest 200 by community and cost)",
                   responses={200: StaffRewardSerializer(many=True), 401: ERRORS[401], 403: FORBIDDEN})
    def get(self, request):
        _require_staff(request.user)
        rewards = list(queries.managed_rewards(request.user).order_by("community__path", "-active", "cost", "id")[:200])
        return Response(StaffRewardSerializer(_with_pending(rewards), many=True).data)

    @extend_schema(summary="Add a reward to a shop I manage", request=StaffRewardSerializer,
                   responses={201: StaffRewardSerializer, 400: ERRORS[400], 401: ERRORS[401], 403: FORBIDDEN})
    def post(self, request):
        _require_staff(request.user)
        body = StaffRewardSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reward = actions.check_save_reward(request.user, _reward_data(body.validated_data))
        reward = queries.managed_rewards(request.user).get(pk=reward.pk)
        return Response(StaffRewardSerializer(_with_pending([reward])[0]).data, status=status.HTTP_201_CREATED)


class CatalogItemView(ActionErrorsMixin, APIView):
    def _reward(self, request, pk):
        reward = queries.managed_rewards(request.user).filter(pk=object_id(pk)).first()
        if reward is None:
            raise Http404
        return reward

    @extend_schema(summary="A reward I manage", responses={200: StaffRewardSerializer, 401: ERRORS[401],
                                                           404: ERRORS[404]})
    def get(self, request, pk):
        return Response(StaffRewardSerializer(_with_pending([self._reward(request, pk)])[0]).data)

    @extend_schema(summary="Change some fields of a reward I manage", request=StaffRewardSerializer,
                   responses={200: StaffRewardSerializer, 400: ERRORS[400], 401: ERRORS[401], 404: ERRORS[404]})
    def patch(self, request, pk):
        reward = self._reward(request, pk)
        body = StaffRewardSerializer(reward, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = {field: getattr(reward, field) for field in actions.REWARD_FIELDS}
        data.update(community_id=reward.community_id, provider_id=reward.provider_id)
        data.update(body.validated_data)
        actions.check_save_reward(request.user, _reward_data(data), reward)
        reward = queries.managed_rewards(request.user).filter(pk=reward.pk).first()
        if reward is None:  # moved out of one's own scope (to a provider's community one does not manage)
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(StaffRewardSerializer(_with_pending([reward])[0]).data)


class StaffRedemptionListView(APIView):
    @extend_schema(summary="Redemptions of the rewards I manage, newest first (50 a page, keyset by id)",
                   parameters=[StaffRedemptionQuerySerializer],
                   responses={200: StaffRedemptionPageSerializer, 400: ERRORS[400], 401: ERRORS[401],
                              403: FORBIDDEN})
    def get(self, request):
        _require_staff(request.user)
        query = StaffRedemptionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        rows, next_before = queries.staff_redemptions(
            request.user, status=data.get("status"), reward_id=data.get("reward"), before=data.get("before"))
        return Response(StaffRedemptionPageSerializer({"results": rows, "next_before": next_before}).data)


class AdjustmentView(ActionErrorsMixin, APIView):
    @extend_schema(summary="Correct a resident's points (community staff; once per key)",
                   request=AdjustmentSerializer,
                   responses={201: AdjustedSerializer, 400: ERRORS[400], 401: ERRORS[401], 403: FORBIDDEN,
                              404: OpenApiResponse(ApiErrorSerializer,
                                                   description="no such resident living in your area")})
    def post(self, request):
        body = AdjustmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if "user" in data:
            person = User.objects.filter(pk=data["user"]).first()
        else:
            phone = normalize_phone(data["mobile"])
            person = User.objects.filter(phone=phone).first() if phone else None
        # Nobody with this id or number: check_adjust answers as for a person outside the area (404),
        # after telling a staff member who may not correct points at all (403).
        entry = actions.check_adjust(request.user, person, data["delta"], data["reason"], data["key"])
        entry.balance = actions.balance_of(person)
        entry.person = masked_person(person)
        return Response(AdjustedSerializer(entry).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("points/statement/", StatementView.as_view(), name="api-points-statement"),
    path("points/leaderboard/", LeaderboardView.as_view(), name="api-points-leaderboard"),
    path("points/rewards/", RewardListView.as_view(), name="api-points-rewards"),
    path("points/rewards/<int:pk>/redeem/", RedeemView.as_view(), name="api-points-redeem"),
    path("points/redemptions/", RedemptionListView.as_view(), name="api-points-redemptions"),
    path("points/redemptions/<int:pk>/cancel/", CancelView.as_view(), name="api-points-cancel"),
    path("points/redemptions/fulfil/", FulfilView.as_view(), name="api-points-fulfil"),
    path("points/fulfil/", OldFulfilView.as_view(), name="api-points-fulfil-old"),
    path("points/catalog/", CatalogView.as_view(), name="api-points-catalog"),
    path("points/catalog/redemptions/", StaffRedemptionListView.as_view(), name="api-points-staff-redemptions"),
    path("points/catalog/<int:pk>/", CatalogItemView.as_view(), name="api-points-catalog-item"),
    path("points/adjustments/", AdjustmentView.as_view(), name="api-points-adjustments"),
]
