"""Organizations API: a read-only, scoped list and the coverage figures.

    GET /api/v1/organizations/                  ?kind=&area=&area_level=&new_sector=&parent=&within=&q=
    GET /api/v1/organizations/<id>/             404 JSON when outside the caller's scope
    GET /api/v1/coverage/?area=<code>&kind=<kind>&level=<level>[&within=1]
    GET /api/v1/coverage/?area=<code>&kind=<kind>&host_kind=<kind>[&new_sector=<tag>]
"""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets
from rest_framework.response import Response

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
    parent = serializers.SerializerMethodField()
    depth = serializers.IntegerField()
    new_sectors = serializers.ListField(child=serializers.CharField())
    founded_on = serializers.DateField()

    def get_title(self, obj):
        return str(obj.civ_center_title)

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
    kind = serializers.ChoiceField(choices=OrganizationKind.choices)
    level = serializers.ChoiceField(choices=AreaLevel.choices, required=False)
    within = serializers.BooleanField(required=False, default=False)
    host_kind = serializers.ChoiceField(choices=OrganizationKind.choices, required=False)
    new_sector = serializers.ChoiceField(choices=NewSector.choices, required=False)

    def validate(self, attrs):
        if ("level" in attrs) == ("host_kind" in attrs):
            raise serializers.ValidationError({"level": _("Give either level or host_kind.")})
        return attrs


class CoverageViewSet(viewsets.ViewSet):
    """How many of the relevant bodies under an area have an organization of a kind."""

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
