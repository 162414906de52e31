"""The places API: scoped area list/detail, grid GeoJSON, locate, JSON errors."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from linli.core.testing import make_person, square
from linli.places.actions import do_create_area
from linli.places.coords import wgs84_to_gcj02

pytestmark = pytest.mark.django_db

STREET_A_CODES = ["350203001", "350203001001", "350203001001001", "350203001001002"]


def client_for(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def codes(response):
    return [item["code"] for item in response.json()["results"]]


def detail_url(code):
    return reverse("area-detail", kwargs={"code": code})


def geojson_url(code):
    return reverse("area-geojson", kwargs={"code": code})


# -- scoping ------------------------------------------------------------------------------


def test_dispatcher_lists_only_their_street(personas):
    response = client_for(personas.street_dispatcher).get(reverse("area-list"))
    assert response.status_code == 200
    assert codes(response) == STREET_A_CODES  # tree order, nothing of street B


def test_dispatcher_of_street_a_gets_404_on_street_b(personas, tree):
    client = client_for(personas.street_dispatcher)
    for code in (tree.street_b.code, tree.grid_b1.code, tree.district.code):
        response = client.get(detail_url(code))
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert response.json()["message"]
    assert client.get(geojson_url(tree.street_b.code)).status_code == 404
    other = client_for(personas.other_street_dispatcher)
    assert other.get(detail_url(tree.street_b.code)).status_code == 200
    assert other.get(detail_url(tree.street_a.code)).status_code == 404


def test_grid_worker_sees_only_their_grid(personas, tree):
    client = client_for(personas.grid_worker)
    assert codes(client.get(reverse("area-list"))) == [tree.grid_a1.code]
    assert client.get(detail_url(tree.grid_a2.code)).status_code == 404


def test_resident_and_outsider_see_no_areas(personas, tree):
    for user in (personas.resident, personas.outsider):
        client = client_for(user)
        assert codes(client.get(reverse("area-list"))) == []
        assert client.get(detail_url(tree.grid_a1.code)).status_code == 404


def test_superuser_sees_everything(tree):
    admin = make_person("13900000099", "管理员")
    admin.is_superuser = True
    assert len(codes(client_for(admin).get(reverse("area-list")))) == 9


def test_anonymous_gets_a_json_error(tree):
    response = client_for(None).get(reverse("area-list"))
    assert response.status_code in (401, 403)
    assert set(response.json()) >= {"code", "message"}


def test_unknown_code_is_a_json_404(personas):
    response = client_for(personas.street_dispatcher).get("/api/v1/areas/999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# -- list and detail ---------------------------------------------------------------------


def test_detail_has_parent_code_and_boundary(personas, tree):
    body = client_for(personas.street_dispatcher).get(detail_url(tree.grid_a1.code)).json()
    assert body["code"] == tree.grid_a1.code
    assert body["parent_code"] == tree.community_a.code
    assert body["level"] == "grid"
    assert body["boundary"]["type"] == "Polygon"
    assert 24.47 < body["centroid"]["lat"] < 24.472


def test_list_leaves_boundaries_out(personas):
    item = client_for(personas.street_dispatcher).get(reverse("area-list")).json()["results"][0]
    assert "boundary" not in item
    assert item["parent_code"] == "350203"


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"level": "grid"}, ["350203001001001", "350203001001002"]),
        ({"level": ["street", "community"]}, ["350203001", "350203001001"]),
        ({"parent": "350203001"}, ["350203001001"]),
        ({"parent": "350203001001"}, ["350203001001001", "350203001001002"]),
        ({"parent": "350203002"}, []),  # outside the scope stays invisible
        ({"within": "350203001001"}, ["350203001001", "350203001001001", "350203001001002"]),
        ({"code": "3502030010010"}, ["350203001001001", "350203001001002"]),
        ({"q": "第二"}, ["350203001001002"]),
        ({"parent": "nope"}, []),
    ],
)
def test_filters(personas, query, expected):
    assert codes(client_for(personas.street_dispatcher).get(reverse("area-list"), query)) == expected


def test_bad_filter_value_is_a_json_400(personas):
    response = client_for(personas.street_dispatcher).get(reverse("area-list"), {"level": "block"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "level" in body["fields"]


def test_list_query_count_does_not_grow_with_areas(personas, tree, django_assert_num_queries):
    client = client_for(personas.street_dispatcher)
    # scope (role assignments), page count, page rows with parent codes.
    with django_assert_num_queries(3):
        assert len(codes(client.get(reverse("area-list")))) == 4
    for n in range(3, 40):
        do_create_area(parent=tree.community_a, name=f"第{n}网格", level="grid", code=f"350203001001{n:03d}")
    client = client_for(type(personas.street_dispatcher).objects.get(pk=personas.street_dispatcher.pk))
    with django_assert_num_queries(3):
        assert len(codes(client.get(reverse("area-list")))) == 41


# -- grid GeoJSON ------------------------------------------------------------------------


def test_geojson_of_a_community(personas, tree):
    response = client_for(personas.street_dispatcher).get(geojson_url(tree.community_a.code))
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert [f["properties"] for f in body["features"]] == [
        {"code": "350203001001001", "name": "第一网格", "level": "grid"},
        {"code": "350203001001002", "name": "第二网格", "level": "grid"},
    ]
    assert body["features"][0]["geometry"]["type"] == "Polygon"
    assert geojson_url("350203001001") == "/api/v1/areas/350203001001/geojson/"


def test_geojson_skips_grids_without_boundary(personas, tree):
    do_create_area(parent=tree.community_a, name="无边界", level="grid", code="350203001001003")
    body = client_for(personas.street_dispatcher).get(geojson_url(tree.street_a.code)).json()
    assert len(body["features"]) == 2


def test_geojson_of_a_grid_is_itself(personas, tree):
    body = client_for(personas.grid_worker).get(geojson_url(tree.grid_a1.code)).json()
    assert [f["id"] for f in body["features"]] == [tree.grid_a1.code]


# -- locate -------------------------------------------------------------------------------


def test_locate_inside(personas, tree):
    response = client_for(personas.resident).get(reverse("locate"), {"lat": 24.471, "lng": 118.101})
    assert response.status_code == 200
    assert response.json()["grid"] == {
        "code": "350203001001001",
        "name": "第一网格",
        "community": {"code": "350203001001", "name": "坑内社区"},
        "street": {"code": "350203001", "name": "开元街道"},
    }


def test_locate_outside_is_null(personas, tree):
    body = client_for(personas.resident).get(reverse("locate"), {"lat": 39.9, "lng": 116.4}).json()
    assert body["grid"] is None
    assert body["wgs84"] == {"lat": 39.9, "lng": 116.4}


def test_locate_gcj02(personas, tree):
    glat, glng = wgs84_to_gcj02(24.4711, 118.1011)
    client = client_for(personas.grid_worker)
    body = client.get(reverse("locate"), {"lat": glat, "lng": glng, "coord_system": "gcj02"}).json()
    assert body["grid"]["code"] == tree.grid_a1.code
    assert body["wgs84"]["lat"] == pytest.approx(24.4711, abs=1e-7)
    assert client.get(reverse("locate"), {"lat": glat, "lng": glng}).json()["grid"] is None


@pytest.mark.parametrize(
    "query, field",
    [
        ({"lat": "abc", "lng": 118.1}, "lat"),
        ({"lat": 24.47}, "lng"),
        ({"lat": 91, "lng": 118.1}, "lat"),
        ({"lat": 24.47, "lng": -180.5}, "lng"),
        ({"lat": "nan", "lng": 118.1}, "lat"),
        ({"lat": 24.47, "lng": "inf"}, "lng"),
        ({"lat": 24.47, "lng": 118.1, "coord_system": "bd09"}, "coord_system"),
    ],
)
def test_locate_bad_input_is_a_json_400(personas, query, field):
    response = client_for(personas.resident).get(reverse("locate"), query)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"]
    assert field in body["fields"]


def test_locate_needs_a_signed_in_user(tree):
    response = client_for(None).get(reverse("locate"), {"lat": 24.471, "lng": 118.101})
    assert response.status_code in (401, 403)
    assert "code" in response.json()


def test_locate_multipolygon_grid(personas, tree):
    multi = {"type": "MultiPolygon", "coordinates": [square(118.3, 24.5)["coordinates"], square(118.4, 24.5)["coordinates"]]}
    do_create_area(parent=tree.community_b, name="飞地网格", level="grid", code="350203002001002", boundary=multi)
    body = client_for(personas.resident).get(reverse("locate"), {"lat": 24.501, "lng": 118.401}).json()
    assert body["grid"]["code"] == "350203002001002"
    assert body["grid"]["street"]["code"] == "350203002"
