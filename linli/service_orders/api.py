"""Service orders API (mounted at /api/service-orders/).

    GET  offerings/?area=<community code>    the menu of an area (active offerings serving it)
    GET  offerings/?managed=1                 your teams' offerings, inactive ones too
    POST offerings/                           a team leader adds a menu item
    PATCH offerings/{id}/                     … or edits one
    GET  orders/?list=mine|dispatch|team|board    your orders / to dispatch / your team's / to grab
    POST orders/                              order a service (点单); multipart for `photos`
    GET  orders/{id}/                         the order with `timeline`, `volunteers`, `allowed_actions`
    POST orders/{id}/actions/                 {"action", params}; multipart for complete's `photos`

Errors: 400 with a stable `code`, 404 outside your role or scope, 409 with `allowed_actions`
when the order's state does not allow the action.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from linli.core import media
from linli.core.api import IDEMPOTENCY_KEY, IDEMPOTENCY_REUSED, ApiErrorSerializer, TimelineEntrySerializer
from linli.core.idempotency import run_once
from linli.core.parsers import JSONParser
from linli.core.ids import MAX_ID, parse_id
from linli.orgs.models import Organization

from . import actions, queries
from .choices import TRANSITIONS, OfferingKind, OrderAction, OrderStatus
from .errors import ActionNotAllowed, ServiceOrderError
from .models import ServiceOffering, ServiceOrder

ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="invalid input: `code`, `message`, maybe `fields`"),
    401: OpenApiResponse(ApiErrorSerializer, description="not signed in"),
    404: OpenApiResponse(ApiErrorSerializer, description="no such thing, or outside your role or scope"),
}


class ServiceOrderActionNotAllowedSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    allowed_actions = serializers.ListField(child=serializers.CharField())


class ErrorsMixin:
    """The actions' errors as JSON: ServiceOrderError → 400, ActionNotAllowed → 409."""

    def handle_exception(self, exc):
        if isinstance(exc, ServiceOrderError):
            return Response(exc.as_body(), status=exc.http_status)
        if isinstance(exc, ActionNotAllowed):
            return Response(exc.as_body(), status=status.HTTP_409_CONFLICT)
        if isinstance(exc, media.MediaError):
            error = ServiceOrderError(exc.code, getattr(exc, "message", str(exc)), field="photos")
            return Response(error.as_body(), status=status.HTTP_400_BAD_REQUEST)
        return super().handle_exception(exc)


# -- serializers ---------------------------------------------------------------------------------------


class TeamRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ServiceOfferingSerializer(serializers.ModelSerializer):
    team = TeamRefSerializer(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = ServiceOffering
        fields = ["id", "team", "name", "kind", "kind_label", "description", "available", "active"]


class ServiceOfferingWriteSerializer(serializers.Serializer):
    team = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    name = serializers.CharField(max_length=80, required=False)
    kind = serializers.ChoiceField(choices=OfferingKind.choices, required=False)
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    areas = serializers.ListField(child=serializers.CharField(max_length=15), required=False, max_length=200,
                                  help_text="codes of the areas served")
    active = serializers.BooleanField(required=False)
    available = serializers.CharField(max_length=80, required=False, allow_blank=True,
                                      help_text="when the team serves, e.g. 每周六上午 9:00–11:30")


class ServiceOrderListSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    area = serializers.CharField(source="area.code")
    area_name = serializers.CharField(source="area.name")
    offering_name = serializers.SerializerMethodField()
    team = TeamRefSerializer(allow_null=True)
    published = serializers.SerializerMethodField()
    event_count = serializers.IntegerField()

    class Meta:
        model = ServiceOrder
        fields = ["id", "kind", "kind_label", "status", "status_label", "area", "area_name", "offering_name",
                  "address", "starts_at", "ends_at", "team", "published", "rating", "created_at", "event_count"]

    def get_offering_name(self, order) -> str:
        return order.offering.name if order.offering_id else ""

    def get_published(self, order) -> bool:
        return order.published_at is not None


class TimelineEventSerializer(TimelineEntrySerializer):
    action = serializers.ChoiceField(choices=OrderAction.choices)
    actor = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    def get_actor(self, event) -> str:
        return event.actor.name if event.actor_id else ""

    def get_photos(self, event) -> list[str]:
        return [photo.image.url for photo in event.photos.all()]


class AssignedVolunteerSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="user_id")
    name = serializers.CharField(source="user.name")
    hours = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    points = serializers.IntegerField()


class ServiceOrderDetailSerializer(ServiceOrderListSerializer):
    resident_name = serializers.CharField(source="resident.name")
    timeline = TimelineEventSerializer(source="events", many=True)
    volunteers = AssignedVolunteerSerializer(source="assignments", many=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta(ServiceOrderListSerializer.Meta):
        fields = [*ServiceOrderListSerializer.Meta.fields, "resident_name", "notes", "done_note", "rating_comment",
                  "timeline", "volunteers", "allowed_actions"]

    def get_allowed_actions(self, order) -> list[str]:
        return actions.allowed_actions(self.context["request"].user, order)


class ServiceOrderCreateSerializer(serializers.Serializer):
    area = serializers.CharField(max_length=15, required=False, help_text="community code; default: your community")
    offering = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=OfferingKind.choices, required=False)
    address = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    notes = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class ServiceOrderActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[(a, OrderAction(a).label) for a in TRANSITIONS])
    team = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, help_text="dispatch, grab")
    other_kind = serializers.BooleanField(
        required=False, help_text="dispatch: send it to a team that does not offer this kind of service (deliberately)")
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, help_text="decline, cancel, correct_hours")
    volunteers = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
                                       max_length=100, help_text="assign: user ids of team members")
    hours = serializers.DictField(child=serializers.DecimalField(max_digits=5, decimal_places=2), required=False,
                                  help_text="record_hours, correct_hours: {user id: hours}")
    rating = serializers.IntegerField(min_value=1, max_value=5, required=False)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True)
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=9,
                                   help_text="complete: photos of the service")


# -- views ----------------------------------------------------------------------------------------------


class ServiceOfferingViewSet(ErrorsMixin, viewsets.GenericViewSet):
    serializer_class = ServiceOfferingSerializer
    queryset = ServiceOffering.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter("area", str, description="community code: its menu (default: your community)"),
            OpenApiParameter("managed", bool, description="your teams' offerings, inactive ones too"),
        ],
        responses={200: ServiceOfferingSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401]},
    )
    def list(self, request):
        if request.query_params.get("managed") in ("1", "true"):
            queryset = queries.offerings_managed_by(request.user)
        else:
            code = request.query_params.get("area")
            area = queries.resident_community(request.user) if not code else None
            code = code or (area.code if area else "")
            queryset = queries.menu_for(code[:15]) if code else ServiceOffering.objects.none()
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ServiceOfferingSerializer(page, many=True).data)

    def _areas(self, codes):
        return [actions._area(code, field="areas", levels=None) for code in codes]

    @extend_schema(request=ServiceOfferingWriteSerializer, responses={201: ServiceOfferingSerializer, **ERRORS})
    def create(self, request):
        data = ServiceOfferingWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        team = Organization.objects.filter(pk=fields.pop("team", None) or 0).first()
        fields["areas"] = self._areas(fields.get("areas", []))
        offering = actions.check_save_offering(
            request.user, team, name=fields.get("name", ""), kind=fields.get("kind", ""),
            description=fields.get("description", ""), available=fields.get("available", ""), areas=fields["areas"],
            active=fields.get("active", True),
        )
        return Response(ServiceOfferingSerializer(offering).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ServiceOfferingWriteSerializer, responses={200: ServiceOfferingSerializer, **ERRORS})
    def partial_update(self, request, pk=None):
        offering = queries.offerings_managed_by(request.user).filter(pk=_pk(pk)).first()
        if offering is None:
            raise Http404
        data = ServiceOfferingWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields.pop("team", None)
        areas = self._areas(fields["areas"]) if "areas" in fields else list(offering.areas.all())
        offering = actions.check_save_offering(
            request.user, offering.team, offering=offering, name=fields.get("name", offering.name),
            kind=fields.get("kind", offering.kind), description=fields.get("description", offering.description),
            available=fields.get("available", offering.available), areas=areas, active=fields.get("active", offering.active),
        )
        return Response(ServiceOfferingSerializer(offering).data)


def _pk(value):
    pk = parse_id(value)
    if pk is None:
        raise Http404
    return pk


class ServiceOrderViewSet(ErrorsMixin, viewsets.GenericViewSet):
    serializer_class = ServiceOrderListSerializer
    queryset = ServiceOrder.objects.none()
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    lookup_value_regex = r"[0-9]+"

    def _order(self, pk):
        order = queries.order_detail(queries.orders_for(self.request.user)).filter(pk=_pk(pk)).first()
        if order is None:
            raise Http404
        return order

    @extend_schema(
        parameters=[OpenApiParameter("list", str, enum=list(queries.LISTS), description="which orders (default mine)"),
                    OpenApiParameter("status", str, enum=OrderStatus.values, description="only in this status")],
        responses={200: ServiceOrderListSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401]},
    )
    def list(self, request):
        which = request.query_params.get("list") or "mine"
        if which not in queries.LISTS:
            raise serializers.ValidationError({"list": [_("Choose one of: %s") % ", ".join(queries.LISTS)]})
        queryset = queries.LISTS[which](request.user)
        wanted = request.query_params.get("status")
        if wanted:
            if wanted not in OrderStatus.values:
                raise serializers.ValidationError({"status": [_("Choose one of: %s") % ", ".join(OrderStatus.values)]})
            queryset = queryset.filter(status=wanted)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ServiceOrderListSerializer(page, many=True).data)

    @extend_schema(request=ServiceOrderCreateSerializer, parameters=[IDEMPOTENCY_KEY],
                   responses={201: ServiceOrderDetailSerializer, **ERRORS, 422: IDEMPOTENCY_REUSED})
    def create(self, request):
        return run_once(request, f"user:{request.user.pk}", request.data, request.FILES, lambda: self._order_now(request))

    def _order_now(self, request):
        data = ServiceOrderCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        area = fields.pop("area", None) or queries.resident_community(request.user)
        if area is None:
            raise ServiceOrderError("bad_area", _("Choose a community."), field="area")
        # multipart: photos of what needs doing, as on the order page
        order = actions.check_order(request.user, area=area, photos=request.FILES.getlist("photos"), **fields)
        return Response(self._detail(order.pk), status=status.HTTP_201_CREATED)

    def _detail(self, pk):
        return ServiceOrderDetailSerializer(self._order(pk), context={"request": self.request}).data

    @extend_schema(responses={200: ServiceOrderDetailSerializer, 401: ERRORS[401], 404: ERRORS[404]})
    def retrieve(self, request, pk=None):
        return Response(self._detail(pk))

    @extend_schema(
        request={"application/json": ServiceOrderActionSerializer, "multipart/form-data": ServiceOrderActionSerializer},
        responses={
            200: ServiceOrderDetailSerializer, **ERRORS,
            409: OpenApiResponse(ServiceOrderActionNotAllowedSerializer,
                                 description="`action_not_allowed`: not in the order's current state"),
        },
    )
    @action(detail=True, methods=["post"], url_path="actions")
    def act(self, request, pk=None):
        try:
            order = self._order(pk)
        except Http404:
            if getattr(request.data, "get", lambda name: None)("action") == OrderAction.GRAB:
                actions.refuse_grab(request.user, _pk(pk))  # lost the race: 409; another service: 403
            raise
        data = ServiceOrderActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        name = params.pop("action")
        if not params.get("other_kind"):
            params.pop("other_kind", None)  # a form without the box says False: only dispatch takes it
        if "photos" in params:
            params["photos"] = request.FILES.getlist("photos") or params["photos"]
        if "hours" in params:
            params["hours"] = dict(params["hours"])
        actions.perform(request.user, order, name, **params)
        return Response(self._detail(order.pk))


def register(router):
    router.register("service-orders/offerings", ServiceOfferingViewSet, basename="service-offering")
    router.register("service-orders/orders", ServiceOrderViewSet, basename="service-order")
