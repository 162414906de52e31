"""The area page: breadcrumbs, children and the grid polygons embedded for Leaflet."""

import json
import re

import pytest
from django.urls import reverse

from linli.places.views import grid_feature_collection

pytestmark = pytest.mark.django_db



def embedded_grids(html):
    match = re.search(r'<script id="area-grids" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the FeatureCollection is not embedded"
    return json.loads(match.group(1))


def area_url(area):
    return reverse("places:area_detail", args=[area.code])


def test_dispatcher_sees_the_community_map_with_its_grids(client, personas, tree):
    client.force_login(personas.street_dispatcher)
    response = client.get(area_url(tree.community_a))
    assert response.status_code == 200
    html = response.content.decode()

    assert "<h1" in html and "坑内社区" in html
    # Breadcrumbs: ancestors outside the scope are named, not linked.
    crumbs = html[html.index('data-testid="breadcrumbs"'): html.index("</ol>")]
    assert "厦门市" in crumbs and "思明区" in crumbs
    assert area_url(tree.city) not in crumbs and area_url(tree.district) not in crumbs
    assert area_url(tree.street_a) in crumbs

    collection = embedded_grids(html)
    assert collection["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in collection["features"]] == [tree.grid_a1.code, tree.grid_a2.code]
    assert [f["properties"]["name"] for f in collection["features"]] == ["第一网格", "第二网格"]
    assert collection["features"][0]["geometry"] == tree.grid_a1.boundary
    assert collection["features"][0]["properties"]["url"] == area_url(tree.grid_a1)

    # Children list links each grid; the map script and Leaflet come from the app.
    assert area_url(tree.grid_a1) in html and area_url(tree.grid_a2) in html
    assert "/static/leaflet/leaflet.js" in html and "/static/leaflet/leaflet.css" in html
    assert "/static/js/area_map.js" in html
    assert 'id="area-map"' in html


def test_street_page_embeds_every_grid_under_it(client, personas, tree):
    client.force_login(personas.street_dispatcher)
    html = client.get(area_url(tree.street_a)).content.decode()
    assert len(embedded_grids(html)["features"]) == 2
    assert area_url(tree.community_a) in html  # child list


def test_other_street_is_404(client, personas, tree):
    client.force_login(personas.street_dispatcher)
    assert client.get(area_url(tree.community_b)).status_code == 404
    assert client.get(area_url(tree.street_b)).status_code == 404
    assert client.get(area_url(tree.district)).status_code == 404
    assert client.get(reverse("places:area_detail", args=["999999999999"])).status_code == 404


def test_other_dispatcher_sees_only_street_b(client, personas, tree):
    client.force_login(personas.other_street_dispatcher)
    assert client.get(area_url(tree.community_a)).status_code == 404
    html = client.get(area_url(tree.community_b)).content.decode()
    assert [f["properties"]["code"] for f in embedded_grids(html)["features"]] == [tree.grid_b1.code]


def test_grid_worker_sees_only_their_grid(client, personas, tree):
    client.force_login(personas.grid_worker)
    html = client.get(area_url(tree.grid_a1)).content.decode()
    assert [f["properties"]["code"] for f in embedded_grids(html)["features"]] == [tree.grid_a1.code]
    assert client.get(area_url(tree.community_a)).status_code == 404
    assert client.get(area_url(tree.grid_a2)).status_code == 404


def test_residents_and_outsiders_see_no_area(client, personas, tree):
    for user in (personas.resident, personas.outsider):
        client.force_login(user)
        assert client.get(area_url(tree.community_a)).status_code == 404


def test_anonymous_is_redirected_to_login(client, tree):
    url = area_url(tree.community_a)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login_code')}?next={url}"


def test_area_without_grid_polygons_shows_an_empty_state(client, personas, tree):
    from linli.places.actions import do_create_area

    empty = do_create_area(parent=tree.street_a, name="新建社区", level="community", code="350203001009")
    client.force_login(personas.street_dispatcher)
    html = client.get(area_url(empty)).content.decode()
    assert 'data-testid="map-empty"' in html and "暂无网格边界" in html
    assert "area-grids" not in html and "leaflet.js" not in html


def test_tile_layer_only_when_configured(client, personas, tree, settings):
    client.force_login(personas.street_dispatcher)
    html = client.get(area_url(tree.community_a)).content.decode()
    assert 'data-tile-url=""' in html
    settings.MAP_TILE_URL = "https://tiles.intranet.example/{z}/{x}/{y}.png"
    html = client.get(area_url(tree.community_a)).content.decode()
    assert 'data-tile-url="https://tiles.intranet.example/{z}/{x}/{y}.png"' in html


def test_embedded_names_are_escaped(client, personas, tree):
    from linli.places.actions import do_create_area
    from linli.core.testing import square

    do_create_area(
        parent=tree.community_a, name="</script><b>x", level="grid", code="350203001001009",
        boundary=square(118.11, 24.47),
    )
    client.force_login(personas.street_dispatcher)
    html = client.get(area_url(tree.community_a)).content.decode()
    assert "</script><b>x" not in html
    names = [f["properties"]["name"] for f in embedded_grids(html)["features"]]
    assert "</script><b>x" in names


def test_feature_collection_is_one_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        collection = grid_feature_collection(tree.district)
    assert len(collection["features"]) == 3


def test_area_page_query_count(client, personas, tree, django_assert_num_queries):
    client.force_login(personas.street_dispatcher)
    client.get(area_url(tree.community_a))
    # session, user, scope, area, ancestors, children, grids, the bell's unread count
    with django_assert_num_queries(8):
        assert client.get(area_url(tree.community_a)).status_code == 200


def test_area_page_in_english(client, personas, tree, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(personas.street_dispatcher)
    html = client.get(area_url(tree.community_a)).content.decode()
    assert "2 grids on the map" in html and "Grids under this area" in html
