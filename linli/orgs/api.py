"""Organizations API: a read-only, scoped list and the coverage figures.

    GET /api/v1/organizations/                  ?kind=&area=&area_level=&new_sector=&parent=&within=&q=
    GET /api/v1/organizations/<id>/             404 JSON when outside the caller's scope
    GET /api/v1/coverage/?area=<code>&kind=<kind>&level=<level>[&within=1]
    GET /api/v1/coverage/?area=<code>&kind=<kind>&host_kind=<kind>[&new_sector=<tag>]
"""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from linli.core.api import ApiErrorSerializer
from linli.places.choices import AreaLevel
from linli.places.models import Area

from .choices import NewSector, OrganizationKind
from .filters import OrganizationFilterSet
from .queries import coverage_by_host, coverage_by_level, coverage_visible, organizations_for, parent_ids

urlpatterns = []


class AreaBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()


class OrganizationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    title = serializers.SerializerMethodField(help_text="center / institute / station for civ_center")
    area = AreaBriefSerializer()
    parent = serializers.SerializerMethodField(
        help_text="id of the parent organization; null at the top or when the parent is outside your scope"
    )
    depth = serializers.IntegerField()
    new_sectors = serializers.ListField(child=serializers.CharField())
    founded_on = serializers.DateField(allow_null=True)

    @extend_schema_field(serializers.CharField())
    def get_title(self, obj):
        return str(obj.civ_center_title)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_parent(self, obj):
        return self.context.get("parent_ids", {}).get(obj.path)


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """Organizations in the caller's scope, in tree order."""

    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet

    def get_queryset(self):
        return organizations_for(self.request.user)

    def _serialize(self, rows, **kwargs):
        context = {**self.get_serializer_context(), "parent_ids": parent_ids(self.request.user, rows)}
        return self.get_serializer(rows, context=context, **kwargs).data

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(self._serialize(page, many=True))
        return Response(self._serialize(list(queryset), many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._serialize([self.get_object()], many=True)[0])


class CoverageQuerySerializer(serializers.Serializer):
    area = serializers.CharField(max_length=15, help_text="area code")
    kind = serializers.ChoiceField(choices=OrganizationKind.choices, help_text="the kind of organization to look for")
    level = serializers.ChoiceField(
        choices=AreaLevel.choices,
        required=False,
        help_text="count the areas of this level under `area` (at or below its level); give either this or host_kind",
    )
    within = serializers.BooleanField(
        required=False,
        default=False,
        help_text="with level: an organization serving an area below a body also covers the body",
    )
    host_kind = serializers.ChoiceField(
        choices=OrganizationKind.choices,
        required=False,
        help_text="count the organizations of this kind serving the area's subtree; give either this or level",
    )
    new_sector = serializers.ChoiceField(
        choices=NewSector.choices, required=False, help_text="with host_kind: only hosts with this new-sector tag"
    )

    def validate(self, attrs):
        if ("level" in attrs) == ("host_kind" in attrs):
            raise serializers.ValidationError({"level": _("Give either level or host_kind.")})
        return attrs


# -- response shapes, for the schema (CoverageViewSet builds the body itself) --


class CoverageFiguresSerializer(serializers.Serializer):
    area = AreaBriefSerializer()
    kind = serializers.CharField()
    total = serializers.IntegerField(help_text="how many bodies there are to cover")
    covered = serializers.IntegerField(help_text="how many of them have an organization of `kind`")
    rate = serializers.FloatField(allow_null=True, help_text="covered / total, 4 decimals; null when total is 0")


class CoverageByLevelSerializer(CoverageFiguresSerializer):
    level = serializers.CharField()
    within = serializers.BooleanField()
    uncovered = AreaBriefSerializer(many=True, help_text="the areas without one")


class UncoveredHostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    area = serializers.CharField(help_text="code of the area it serves")


class CoverageByHostSerializer(CoverageFiguresSerializer):
    host_kind = serializers.CharField()
    new_sector = serializers.CharField(allow_null=True)
    uncovered = UncoveredHostSerializer(many=True, help_text="the hosts without one")


class CoverageViewSet(viewsets.ViewSet):
    """How many of the relevant bodies under an area have an organization of a kind."""

    @extend_schema(
        summary="Coverage of an area by organizations of a kind",
        description="With `level`: how many areas of that level under `area` have their own organization of "
        "`kind`. With `host_kind`: how many organizations of that kind serving the area's subtree have one of "
        "`kind` above or below them.",
        parameters=[CoverageQuerySerializer],
        responses={
            200: PolymorphicProxySerializer(
                component_name="Coverage",
                serializers=[CoverageByLevelSerializer, CoverageByHostSerializer],
                resource_type_field_name=None,
                many=False,
            ),
            400: OpenApiResponse(
                ApiErrorSerializer, description="invalid parameters, or neither or both of level and host_kind"
            ),
            401: OpenApiResponse(ApiErrorSerializer, description="not signed in"),
            404: OpenApiResponse(ApiErrorSerializer, description="no such area, or its figures are outside your scope"),
        },
    )
    def list(self, request):
        params = CoverageQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data
        area = Area.objects.filter(code=query["area"]).first()
        if area is None or not coverage_visible(request.user, area):
            raise Http404
        body = {"area": AreaBriefSerializer(area).data, "kind": query["kind"]}
        if "level" in query:
            if AreaLevel.order(query["level"]) < AreaLevel.order(area.level):
                raise serializers.ValidationError({"level": _("Choose a level at or below the area's own.")})
            coverage = coverage_by_level(area, query["kind"], query["level"], within=query["within"])
            body.update(level=query["level"], within=query["within"])
            uncovered = AreaBriefSerializer(coverage.uncovered, many=True).data
        else:
            coverage = coverage_by_host(area, query["host_kind"], query["kind"], new_sector=query.get("new_sector"))
            body.update(host_kind=query["host_kind"], new_sector=query.get("new_sector"))
            uncovered = [
                {"id": org.id, "name": org.name, "kind": org.kind, "area": org.area.code} for org in coverage.uncovered
            ]
        body.update(total=coverage.total, covered=coverage.covered, rate=coverage.rate, uncovered=uncovered)
        return Response(body)


def register(router):
    """Register this app's viewsets on the API router."""
    router.register("organizations", OrganizationViewSet, basename="organization")
    router.register("coverage", CoverageViewSet, basename="coverage")
