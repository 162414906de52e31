"""Points API (mounted at /api/points/).

    GET  /api/points/statement/?before=           my balance and entries, newest first (keyset by entry id)
    GET  /api/points/leaderboard/?period=&area=&date=   红色积分榜: net points earned in a month/quarter/year
    GET  /api/points/rewards/                     the rewards of my community's shop (积分超市)
    POST /api/points/rewards/{id}/redeem/         takes the points and one from stock; gives a pickup code
    GET  /api/points/redemptions/                 my redemptions, newest first
    POST /api/points/redemptions/{id}/cancel/     mine, or one staff manage: points and stock back
    POST /api/points/redemptions/fulfil/          {"code": ...}: staff of the provider hand the reward over (核销)
    POST /api/points/fulfil/                      the same (older path, deprecated)

Errors: bad input 400 with a `code` (insufficient_points, out_of_stock, limit_reached, not_available,
not_pending; fulfil: already_fulfilled, cancelled), anything outside the user's reach 404. Fulfil answers
a code that is unknown or not among the user's rewards alike: 404 `unknown_code`.
"""

from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from linli.core.api import ActionErrorsMixin, ApiErrorSerializer, error_body, error_responses

from . import actions, queries
from .choices import EntryKind, Period, RedemptionStatus, RewardKind
from .models import Redemption
from .templatetags.points import masked_person

MAX_ID = 2**63 - 1
MIN_YEAR, MAX_YEAR = 2000, 2999

ERRORS = error_responses("no such object, or outside your reach")


def object_id(value):
    """A path id the database can hold, or 404."""
    if not str(value).isdigit() or not 0 < int(value) <= MAX_ID:
        raise Http404
    return int(value)


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


urlpatterns = [
    path("points/statement/", StatementView.as_view(), name="api-points-statement"),
    path("points/leaderboard/", LeaderboardView.as_view(), name="api-points-leaderboard"),
    path("points/rewards/", RewardListView.as_view(), name="api-points-rewards"),
    path("points/rewards/<int:pk>/redeem/", RedeemView.as_view(), name="api-points-redeem"),
    path("points/redemptions/", RedemptionListView.as_view(), name="api-points-redemptions"),
    path("points/redemptions/<int:pk>/cancel/", CancelView.as_view(), name="api-points-cancel"),
    path("points/redemptions/fulfil/", FulfilView.as_view(), name="api-points-fulfil"),
    path("points/fulfil/", OldFulfilView.as_view(), name="api-points-fulfil-old"),
]
