"""The 随手拍 map without MAP_TILE_URL: the resident's grids, outlined and named, and the
community's name over them, embedded in the page (no request leaves the site)."""

import json
import re

import pytest
from django.urls import reverse

from linli.places.queries import community_labels, grid_features

pytestmark = pytest.mark.django_db


def embedded_grids(html):
    return json.loads(re.search(r'<script id="report-grids" type="application/json">(.*?)</script>', html, re.S).group(1))


def test_report_map_names_the_residents_grids_and_community(client, personas, tree, categories, settings):
    settings.MAP_TILE_URL = ""
    client.force_login(personas.resident)
    html = client.get(reverse("cases:report")).content.decode()
    grids = embedded_grids(html)
    assert {f["properties"]["name"] for f in grids["features"]} == {"第一网格", "第二网格"}
    assert grids["areas"] == [{"code": tree.community_a.code, "name": "坑内社区"}]
    assert 'data-testid="map-outline-hint"' in html
    assert 'data-tile-url=""' in html


def test_with_tiles_no_outline_hint(client, personas, tree, categories, settings):
    settings.MAP_TILE_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    client.force_login(personas.resident)
    html = client.get(reverse("cases:report")).content.decode()
    assert 'data-testid="map-outline-hint"' not in html
    assert 'data-tile-url="https://tiles.example.gov.cn/{z}/{x}/{y}.png"' in html


def test_community_labels_of_a_streets_grids_in_one_query(tree, django_assert_num_queries):
    features = grid_features(tree.district)["features"]
    with django_assert_num_queries(1):
        labels = community_labels(features)
    assert labels == [{"code": tree.community_a.code, "name": "坑内社区"},
                      {"code": tree.community_b.code, "name": "文安社区"}]
    with django_assert_num_queries(0):
        assert community_labels([]) == []
