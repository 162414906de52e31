"""API v1 for places: the area tree (read-only, scoped), grid GeoJSON and locate.

    GET /api/v1/areas/                      area-list     filters: level, parent, within, code, q
    GET /api/v1/areas/{code}/               area-detail   with boundary
    GET /api/v1/areas/{code}/geojson/       area-geojson  grid polygons under the area
    GET /api/v1/locate/?lat=&lng=&coord_system=wgs84|gcj02    locate
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from linli.core.api import ApiErrorSerializer
from linli.core.ids import CoordinateSerializerField

from .choices import AreaLevel, CoordSystem
from .filters import AreaFilterSet
from .locate import locate, to_wgs84
from .models import Area
from .queries import areas_for, grid_features, with_parent_code


class PointSerializer(serializers.Serializer):
    """A WGS-84 point."""

    lat = CoordinateSerializerField()
    lng = CoordinateSerializerField()


class AreaSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    parent_code = serializers.CharField(read_only=True, allow_null=True)
    centroid = serializers.SerializerMethodField()

    class Meta:
        model = Area
        fields = ["code", "name", "level", "level_label", "parent_code", "numchild", "centroid"]
        read_only_fields = fields

    @extend_schema_field(PointSerializer(allow_null=True))
    def get_centroid(self, area):
        if area.centroid_lat is None:
            return None
        return {"lat": area.centroid_lat, "lng": area.centroid_lng}


class AreaDetailSerializer(AreaSerializer):
    boundary = serializers.JSONField(read_only=True)

    class Meta(AreaSerializer.Meta):
        fields = [*AreaSerializer.Meta.fields, "boundary"]
        read_only_fields = fields


class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    """Areas the user can see (the subtrees of their roles); anything else is 404."""

    lookup_field = "code"
    lookup_value_regex = r"[0-9]+"
    filterset_class = AreaFilterSet

    def get_queryset(self):
        queryset = with_parent_code(areas_for(self.request.user)).order_by("code")
        if self.action == "list":
            queryset = queryset.defer("boundary")  # polygons only on detail and geojson
        return queryset

    def get_serializer_class(self):
        return AreaSerializer if self.action == "list" else AreaDetailSerializer

    @extend_schema(
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="GeoJSON FeatureCollection")},
    )
    @action(detail=True, methods=["get"], url_path="geojson", url_name="geojson")
    def geojson(self, request, code=None):
        """GeoJSON FeatureCollection of the grid polygons under this area (properties: code, name, level)."""
        return Response(grid_features(self.get_object()))


class LocateQuerySerializer(serializers.Serializer):
    lat = CoordinateSerializerField(
        min_value=-90, max_value=90, label=_("latitude"), help_text="latitude, in the datum given by coord_system"
    )
    lng = CoordinateSerializerField(
        min_value=-180, max_value=180, label=_("longitude"), help_text="longitude, in the datum given by coord_system"
    )
    coord_system = serializers.ChoiceField(
        choices=CoordSystem.choices,
        default=CoordSystem.WGS84,
        help_text="datum of lat/lng: wgs84 (GPS) or gcj02 (Chinese phone maps)",
    )


# -- response shapes, for the schema (LocateView builds the body itself) --


class AreaCodeNameSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class LocatedGridSerializer(AreaCodeNameSerializer):
    community = AreaCodeNameSerializer(allow_null=True)
    street = AreaCodeNameSerializer(allow_null=True)


class LocateSerializer(serializers.Serializer):
    grid = LocatedGridSerializer(allow_null=True, help_text="the grid containing the point; null outside every grid")
    wgs84 = PointSerializer(help_text="the point in WGS-84, as located")


def _brief(area):
    return {"code": area.code, "name": area.name} if area else None


class LocateView(APIView):
    """The grid containing a point. Any signed-in user may ask: grid names are not secret,
    and residents need them to report."""

    @extend_schema(
        summary="The grid containing a point",
        parameters=[LocateQuerySerializer],
        responses={
            200: LocateSerializer,
            400: OpenApiResponse(ApiErrorSerializer, description="invalid lat, lng or coord_system"),
            401: OpenApiResponse(ApiErrorSerializer, description="not signed in"),
        },
    )
    def get(self, request):
        query = LocateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        lat, lng = to_wgs84(query.validated_data["lat"], query.validated_data["lng"], query.validated_data["coord_system"])
        grid = locate(lat, lng)
        body = {"grid": None, "wgs84": {"lat": lat, "lng": lng}}
        if grid is not None:
            above = {a.level: a for a in Area.objects.get_ancestors(grid)}
            body["grid"] = {
                "code": grid.code,
                "name": grid.name,
                "community": _brief(above.get(AreaLevel.COMMUNITY)),
                "street": _brief(above.get(AreaLevel.STREET)),
            }
        return Response(body)


urlpatterns = [path("locate/", LocateView.as_view(), name="locate")]


def register(router):
    """Register this app's viewsets on the API router."""
    router.register("areas", AreaViewSet, basename="area")
