"""Cases API (mounted at /api/, next to /api/v1/ of the other apps).

    POST /api/cases/                          report (JSON, or multipart with up to 9 `photos`)
    GET  /api/cases/                          cases the user may see; CaseFilterSet filters, cursor pagination (-id)
    GET  /api/cases/duplicates/?category=&lat=&lng=[&coord_system=]   open cases nearby, same category
    GET  /api/cases/{number}/                 the case with `timeline` and `allowed_actions`
    POST /api/cases/{number}/actions/         {"action": ..., params}; multipart for resolve's and verify's `photos`
    POST /api/cases/{number}/follow/          follow instead of filing a duplicate
    GET  /api/categories/                     the category tree with time limits
    GET  /api/ledger/?area=&from=&to=         民情台账 of an area in the user's scope

Visibility: a case in `queries.cases_for(user)` is shown in full; one only in
`queries.public_cases()` (any signed-in user) in its public view, without the reporter,
event actors or notes; anything else is a 404. Actions are decided by `actions.perform`
(404 outside the user's role or scope, 409 with `allowed_actions` in the wrong state,
400 with a `code` for bad parameters).
"""

from datetime import date

from django.db.models import Prefetch
from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from linli.core import media
from linli.core.api import (
    IDEMPOTENCY_KEY,
    IDEMPOTENCY_REUSED,
    RATE_LIMITED,
    RETRY_AFTER,
    ActionErrorsMixin,
    error_responses,
)
from linli.core.idempotency import run_once
from linli.core.parsers import JSONParser
from linli.core.ids import parse_id
from linli.core.ratelimit import IntakePerIpThrottle, IntakePerUserThrottle
from linli.core.scoping import scope_for
from linli.places.locate import to_wgs84
from linli.places.models import Area

from . import actions, queries
from .choices import PLACE_STATUSES, Action, Priority
from .errors import ActionNotAllowed, CaseError
from .filters import CaseFilterSet
from .models import Case, CaseEvent, Category
from .parties import is_dispatcher, reporter_visible
from .serializers import (
    ActionNotAllowedSerializer,
    CaseActionSerializer,
    CaseCreatedSerializer,
    CaseDetailSerializer,
    CaseListSerializer,
    CategoryNodeSerializer,
    DuplicateQuerySerializer,
    DuplicateSerializer,
    FollowSerializer,
    LedgerQuerySerializer,
    LedgerSerializer,
    ReportSerializer,
)

ERRORS = error_responses("no such case, or outside your role or scope")


class CaseErrorsMixin(ActionErrorsMixin):
    """The actions' errors as JSON: CaseError → 400 (ActionErrorsMixin), ActionNotAllowed → 409."""

    def handle_exception(self, exc):
        if isinstance(exc, ActionNotAllowed):
            return Response(exc.as_body(), status=status.HTTP_409_CONFLICT)
        if isinstance(exc, media.MediaError):  # the actions turn these into CaseError; just in case
            error = CaseError(exc.code, getattr(exc, "message", str(exc)), field="photos")
            return Response(error.as_body(), status=status.HTTP_400_BAD_REQUEST)
        return super().handle_exception(exc)


class CaseCursorPagination(CursorPagination):
    """Keyset pagination, newest first: a page costs the same on page 1 and page 10,000."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request):
        # A cursor we did not hand out is invalid input (400), not a missing page; its
        # position must be an id, or the query itself would fail.
        invalid = exceptions.ValidationError({self.cursor_query_param: [_("This cursor is not valid. "
                                                                          "Start again from the first page.")]})
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound:
            raise invalid from None
        if cursor is not None and cursor.position is not None:
            if parse_id(cursor.position) is None:
                raise invalid
        return cursor


def detail_queryset(queryset):
    """Everything the detail shows, in a fixed number of queries whatever the timeline's length."""
    return queryset.select_related(
        "category", "area", "unit", "reporter", "queue_area", "board_area"
    ).prefetch_related(
        Prefetch("events", queryset=CaseEvent.objects.select_related("actor").order_by("id")),
        "photos",
        "assists__unit",
    )


def case_body(request, case, view):
    """The detail representation of `case` ("full" or "public") for the requesting user."""
    user = request.user
    allowed = actions.allowed_actions(user, case)
    # Placing an unlocated case is outside the transition table (actions.check_place).
    if case.unlocated and case.status in PLACE_STATUSES and is_dispatcher(user, case):
        allowed.append(str(Action.PLACE))
    context = {
        "request": request,
        "view": view,
        "show_reporter": view == "full" and reporter_visible(user, case),
        "allowed_actions": allowed,
        "following": case.followers.filter(user=user).exists(),
    }
    return CaseDetailSerializer(case, context=context).data


def find_case(user, number, detail=True):
    """(case, view) for a number: in full when in the user's cases, public when only public; else 404.
    `detail=False` skips the timeline and photos (before an action, which re-reads the case)."""
    def fetch(queryset):
        queryset = detail_queryset(queryset) if detail else queryset.select_related(*queries.DETAIL_RELATED)
        return queryset.filter(number=number).first()

    case = fetch(queries.cases_for(user))
    if case is not None:
        return case, "full"
    case = fetch(queries.public_cases())
    if case is not None:
        return case, "public"
    raise Http404


@extend_schema_view(
    list=extend_schema(
        summary="Cases you may see",
        description="Newest first; pass `cursor` from `next` / `previous` to page on.",
        responses={200: CaseListSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401]},
    ),
    create=extend_schema(
        summary="Report a case",
        description="JSON, or multipart/form-data with up to 9 files in `photos` (checked by content). "
        "A point outside every grid is accepted: the case is flagged `unlocated` for manual placement. "
        "Answers a brief body; the detail with photos and timeline is at `url` (and `Location`).",
        request={"application/json": ReportSerializer, "multipart/form-data": ReportSerializer},
        responses={201: CaseCreatedSerializer, 400: ERRORS[400], 401: ERRORS[401], 422: IDEMPOTENCY_REUSED,
                   429: RATE_LIMITED},
        parameters=[RETRY_AFTER, IDEMPOTENCY_KEY],
    ),
    retrieve=extend_schema(
        summary="A case with its timeline and the actions you may take now",
        description="`view` is \"full\" for a case in your scope or your own, \"public\" for another public case "
        "(no reporter, event actors or notes).",
        responses={200: CaseDetailSerializer, 401: ERRORS[401], 404: ERRORS[404]},
    ),
)
class CaseViewSet(CaseErrorsMixin, viewsets.GenericViewSet):
    """Cases: report, list, read, act, follow, find duplicates."""

    lookup_field = "number"
    lookup_value_regex = r"[0-9A-Za-z][0-9A-Za-z-]{0,19}"
    pagination_class = CaseCursorPagination
    filterset_class = CaseFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    serializer_class = CaseListSerializer
    queryset = Case.objects.none()  # for the schema; requests use get_queryset()

    def get_queryset(self):
        return queries.listed_for(self.request.user).select_related("category", "area", "unit")

    def get_throttles(self):
        # Filing is what a flood would abuse; reading and acting are scoped to the user anyway.
        if self.action == "create":
            return [IntakePerUserThrottle(), IntakePerIpThrottle()]
        return super().get_throttles()

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(CaseListSerializer(page, many=True, context={"request": request}).data)

    def create(self, request):
        # A resent report (weak network, offline capture) with its Idempotency-Key is filed once.
        return run_once(request, f"user:{request.user.pk}", request.data, request.FILES, lambda: self._file(request))

    def _file(self, request):
        report = ReportSerializer(data=request.data)
        report.is_valid(raise_exception=True)
        case = actions.check_report(request.user, **report.validated_data)
        url = request.build_absolute_uri(f"{request.path}{case.number}/")
        return Response(CaseCreatedSerializer.body(case, url), status=status.HTTP_201_CREATED, headers={"Location": url})

    def retrieve(self, request, number=None):
        case, view = find_case(request.user, number)
        return Response(case_body(request, case, view))

    @extend_schema(
        summary="Take a workflow action",
        description="accept · reject(reason) · dispatch(unit) · sign · return(reason) · resolve(note, photos: "
        "multipart) · verify(note, photos: multipart, optional) · rework(reason) · close · rate(rating 1–5, comment) · reopen(reason) · "
        "escalate(reason) · remind · supervise · publish(board_area) · claim(unit) · assist(unit) · "
        "place(area: a grid code). Answers the case as it is afterwards.",
        request={"application/json": CaseActionSerializer, "multipart/form-data": CaseActionSerializer},
        responses={
            200: CaseDetailSerializer,
            400: ERRORS[400],
            401: ERRORS[401],
            404: ERRORS[404],
            409: OpenApiResponse(ActionNotAllowedSerializer, description="not possible in the case's current state"),
        },
    )
    @action(detail=True, methods=["post"], url_path="actions", url_name="actions", filter_backends=[],
            pagination_class=None)
    def take_action(self, request, number=None):
        case, _view = find_case(request.user, number, detail=False)
        body = CaseActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # perform() answers 404 for an action outside the user's role or scope, so a public
        # case shows nothing more than its public view.
        action_name = body.validated_data["action"]
        if action_name == Action.PLACE:
            actions.check_place(request.user, case, body.action_params().get("area"))
        else:
            actions.perform(request.user, case, action_name, **body.action_params())
        case, view = find_case(request.user, number)
        return Response(case_body(request, case, view))

    @extend_schema(
        summary="Follow a case instead of reporting it again",
        request=None,
        responses={200: FollowSerializer, 400: ERRORS[400], 401: ERRORS[401], 404: ERRORS[404]},
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def follow(self, request, number=None):
        case, _view = find_case(request.user, number, detail=False)
        actions.check_follow(request.user, case)
        return Response({"number": case.number, "following": True})

    @extend_schema(
        summary="Possible duplicates: open cases of the category nearby, reported lately",
        parameters=[DuplicateQuerySerializer],
        responses={200: DuplicateSerializer(many=True), 400: ERRORS[400], 401: ERRORS[401]},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def duplicates(self, request):
        query = DuplicateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        category = Category.objects.filter(code=data["category"]).first()
        if category is None:
            raise CaseError("unknown_category", _("Choose one of the listed categories."), field="category")
        point = to_wgs84(data["lat"], data["lng"], data["coord_system"])
        if point is None:
            raise CaseError("bad_location", _("These coordinates are not a valid position."), field="lat")
        found = queries.suggest_duplicates(category, *point)
        return Response(DuplicateSerializer(found, many=True, context={"request": request}).data)


def category_tree():
    """Active categories as nested dicts, limits filled in from the nearest ancestor that sets them.
    One query; a node under an inactive one is left out with it."""
    roots, nodes = [], {}
    for category in Category.objects.filter(is_active=True).order_by("path"):
        parent_path = category.path[: -Category.steplen]
        parent = nodes.get(parent_path)
        if category.depth > 1 and parent is None:
            continue
        node = {
            "code": category.code,
            "name": category.name,
            "kind": category.kind,
            "kind_label": category.get_kind_display(),
            "accept_hours": category.accept_hours,
            "resolve_days": category.resolve_days,
            "default_priority": category.default_priority,
            "children": [],
        }
        for limit in ("accept_hours", "resolve_days", "default_priority"):
            if node[limit] is None:
                node[limit] = parent[limit] if parent is not None else None
        # What a case of the category gets when no ancestor sets a priority (routing.limits_of).
        node["default_priority"] = node["default_priority"] or Priority.NORMAL
        nodes[category.path] = node
        (parent["children"] if parent is not None else roots).append(node)
    return roots


class CategoryTreeView(APIView):
    """The category tree, for any signed-in user."""

    @extend_schema(
        summary="The category tree with time limits",
        description="Active categories; `accept_hours` (working hours), `resolve_days` (working days) and "
        "`default_priority` are inherited from the nearest ancestor that sets them.",
        responses={200: CategoryNodeSerializer(many=True), 401: ERRORS[401]},
    )
    def get(self, request):
        return Response(category_tree())


class LedgerView(CaseErrorsMixin, APIView):
    """The ledger of an area in the user's scope (404 outside it); the period defaults to this year."""

    @extend_schema(
        summary="民情台账: collected, resolved, open and overdue cases of an area and period",
        parameters=[LedgerQuerySerializer],
        responses={200: LedgerSerializer, 400: ERRORS[400], 401: ERRORS[401], 404: ERRORS[404]},
    )
    def get(self, request):
        query = LedgerQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        area = Area.objects.filter(code=data["area"]).first()
        # The same scope as the ledger page: dispatchers and community staff over the area.
        if area is None or not scope_for(request.user, "cases.dispatch").contains_area(area):
            raise Http404
        today = timezone.localdate()
        date_to = data.get("to") or today
        date_from = data.get("from") or date(date_to.year, 1, 1)
        if date_from > date_to:
            raise CaseError("invalid_period", _("The period ends before it starts."), field="from")
        return Response(LedgerSerializer(queries.ledger(area, date_from, date_to)).data)


urlpatterns = [
    path("categories/", CategoryTreeView.as_view(), name="api-categories"),
    path("ledger/", LedgerView.as_view(), name="api-ledger"),
]


def register(router):
    """Register this app's viewsets on the API router (mounted at /api/)."""
    router.register("cases", CaseViewSet, basename="case")
