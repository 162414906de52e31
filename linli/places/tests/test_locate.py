"""locate(lat, lng): inside, on edges, outside, garbage, many grids, index freshness, GCJ-02."""

import json
import math
import random

import pytest
from django.core.management import call_command

from linli.core.testing import square
from linli.places import locate as locate_module
from linli.places.actions import check_create_area, check_update_area, do_create_area, do_delete_area, do_update_area
from linli.places.coords import gcj02_to_wgs84, out_of_china, wgs84_to_gcj02
from linli.places.locate import (
    GridIndex,
    get_grid_index,
    invalidate_grid_index,
    locate,
    locate_code,
    locate_gcj02,
    locate_id,
)
from linli.places.models import Area

pytestmark = pytest.mark.django_db

# The fixture's grids: a1 [118.100, 118.102] × [24.470, 24.472], a2 east of it
# sharing the edge lng = 118.102; b1 apart at [118.080, 118.082] × [24.455, 24.457].


def test_point_inside_a_grid(tree):
    assert locate(24.471, 118.101) == tree.grid_a1
    assert locate(24.471, 118.103) == tree.grid_a2
    assert locate(24.456, 118.081) == tree.grid_b1
    assert locate_id(24.471, 118.101) == tree.grid_a1.pk
    assert locate_code(24.471, 118.103) == "350203001001002"


def rect(west, south, east, north):
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]]}


@pytest.fixture
def neighbours(tree):
    """Two grids sharing the edge lng = 118.09 exactly; the higher code is created first."""
    east = do_create_area(
        parent=tree.community_b, name="东网格", level="grid", code="350203002001003", boundary=rect(118.09, 24.46, 118.1, 24.465)
    )
    west = do_create_area(
        parent=tree.community_b, name="西网格", level="grid", code="350203002001002", boundary=rect(118.085, 24.46, 118.09, 24.465)
    )
    return west, east


def test_point_on_a_shared_edge_goes_to_the_lowest_code(neighbours):
    west, east = neighbours
    for _ in range(3):  # deterministic, not just lucky
        assert locate(24.462, 118.09) == west
    assert locate(24.46, 118.09) == west  # shared corner on the outer edge
    assert locate(24.465, 118.09) == west
    assert locate(24.462, 118.0901) == east


def test_point_on_an_outer_edge_belongs_to_the_grid(neighbours):
    west, east = neighbours
    assert locate(24.462, 118.085) == west  # west edge
    assert locate(24.46, 118.095) == east  # south edge
    assert locate(24.465, 118.1) == east  # north-east corner
    assert locate(24.4650001, 118.095) is None  # just outside


def test_point_outside_every_grid(tree):
    assert locate(24.471, 118.0999) is None
    assert locate(24.4721, 118.101) is None
    assert locate(39.9, 116.4) is None
    assert locate(-33.86, 151.2) is None


@pytest.mark.parametrize(
    "lat, lng",
    [
        (None, None),
        (None, 118.101),
        ("abc", 118.101),
        ("", ""),
        (float("nan"), 118.101),
        (24.471, float("nan")),
        (float("inf"), 118.101),
        (91, 118.101),
        (24.471, 181),
        (-90.5, 0),
        (True, 118.101),
        ([24.471], 118.101),
        ({"lat": 24.471}, 118.101),
        ("1e400", 118.101),
        (10**400, 118.101),
    ],
)
def test_garbage_input_gives_none_never_an_error(tree, lat, lng):
    assert locate(lat, lng) is None
    assert locate_id(lat, lng) is None
    assert locate_gcj02(lat, lng) is None


def test_numeric_strings_are_accepted(tree):
    assert locate("24.471", "118.101") == tree.grid_a1


def test_no_grids_at_all(db):
    assert locate(24.471, 118.101) is None


def test_warm_lookup_makes_no_query(tree, django_assert_num_queries):
    locate_id(24.471, 118.101)  # builds the index
    with django_assert_num_queries(0):
        assert locate_id(24.471, 118.103) == tree.grid_a2.pk
        assert locate_code(24.456, 118.081) == tree.grid_b1.code
    with django_assert_num_queries(1):
        assert locate(24.471, 118.101) == tree.grid_a1


# -- index freshness -------------------------------------------------------------------


def test_index_rebuilds_after_a_grid_is_added(tree):
    assert locate(24.471, 118.105) is None
    do_create_area(
        **check_create_area(
            parent=tree.community_a, name="第三网格", level="grid", code="350203001001003", boundary=square(118.104, 24.470)
        )
    )
    assert locate(24.471, 118.105).code == "350203001001003"


def test_index_rebuilds_after_a_boundary_changes(tree):
    assert locate(24.471, 118.101) == tree.grid_a1
    do_update_area(tree.grid_a1, **check_update_area(tree.grid_a1, boundary=square(118.200, 24.470)))
    assert locate(24.471, 118.101) is None
    assert locate(24.471, 118.201) == tree.grid_a1


def test_index_forgets_a_deleted_grid(tree):
    assert locate(24.471, 118.103) == tree.grid_a2
    do_delete_area(tree.grid_a2)
    assert locate(24.471, 118.103) is None


def test_index_follows_a_renumbered_grid(tree):
    assert locate_code(24.456, 118.081) == "350203002001001"
    do_update_area(tree.grid_b1, **check_update_area(tree.grid_b1, code="350203002001009"))
    assert locate_code(24.456, 118.081) == "350203002001009"


def test_other_processes_notice_changes_by_fingerprint(tree, settings):
    """A change made elsewhere (no invalidate in this process) shows after the check interval."""
    assert locate(24.471, 118.101) == tree.grid_a1
    # What another process's commit looks like from here: rows change, nobody calls invalidate.
    Area.objects.filter(pk=tree.grid_a1.pk).update(boundary=square(118.300, 24.470), updated_at=tree.grid_a1.updated_at.replace(year=2100))
    settings.LOCATE_INDEX_CHECK_SECONDS = 3600
    assert locate(24.471, 118.101) == tree.grid_a1  # still the cached index: no check yet
    settings.LOCATE_INDEX_CHECK_SECONDS = 0
    assert locate(24.471, 118.101) is None
    assert locate(24.471, 118.301) == tree.grid_a1


def test_unchanged_fingerprint_keeps_the_index(tree, settings, django_assert_num_queries):
    settings.LOCATE_INDEX_CHECK_SECONDS = 0
    first = get_grid_index()
    with django_assert_num_queries(1):  # only the fingerprint
        assert get_grid_index() is first


def test_a_build_racing_an_invalidation_is_not_kept(tree):
    index = locate_module._refresh()
    assert locate_module._index is index
    generation = locate_module._generation
    invalidate_grid_index()
    assert locate_module._generation == generation + 1 and locate_module._index is None


# -- many grids -------------------------------------------------------------------------

SIDE = 0.001


def grid_file(communities=20, per_community=100):
    """A city → district → street → communities → grids FeatureCollection of adjoining squares."""

    def feature(code, name, level, parent_code, geometry=None):
        return {
            "type": "Feature",
            "geometry": geometry,
            "properties": {"code": code, "name": name, "level": level, "parent_code": parent_code},
        }

    features = [
        feature("3502", "厦门市", "city", None),
        feature("350211", "集美区", "district", "3502"),
        feature("350211001", "集美街道", "street", "350211"),
    ]
    for c in range(communities):
        community = f"350211001{c + 1:03d}"
        features.append(feature(community, f"第{c + 1}社区", "community", "350211001"))
        for g in range(per_community):
            # Rounded so neighbours share their edges exactly, as surveyed grids do.
            west, east = round(118.0 + g * SIDE, 6), round(118.0 + (g + 1) * SIDE, 6)
            south, north = round(24.5 + c * SIDE, 6), round(24.5 + (c + 1) * SIDE, 6)
            features.append(feature(f"{community}{g + 1:03d}", f"第{g + 1}网格", "grid", community, rect(west, south, east, north)))
    return {"type": "FeatureCollection", "features": features}


def test_two_thousand_grids(db, tmp_path, capsys):
    path = tmp_path / "grids.geojson"
    path.write_text(json.dumps(grid_file()), encoding="utf-8")
    call_command("import_areas", str(path))
    out = capsys.readouterr().out
    assert "500" in out and "2000" in out  # progress lines
    assert Area.objects.filter(level="grid").count() == 2000

    rng = random.Random(7)
    for _ in range(500):
        c, g = rng.randrange(20), rng.randrange(100)
        lat = 24.5 + c * SIDE + rng.uniform(0.05, 0.95) * SIDE
        lng = 118.0 + g * SIDE + rng.uniform(0.05, 0.95) * SIDE
        assert locate_code(lat, lng) == f"350211001{c + 1:03d}{g + 1:03d}"
    assert len(get_grid_index()) == 2000
    # Outside the block, and on internal edges (lowest code of the touching grids).
    assert locate_code(24.5 - SIDE / 2, 118.05) is None
    assert locate_code(24.5 + SIDE / 2, 118.0 + 100 * SIDE + SIDE / 2) is None
    assert locate_code(24.5055, 118.003) == "350211001006003"  # edge of grids 3 and 4
    assert locate_code(24.505, 118.003) == "350211001005003"  # corner of four grids


def test_grid_index_in_memory_handles_multipolygons_and_bad_rows():
    multi = {"type": "MultiPolygon", "coordinates": [square(1, 1)["coordinates"], square(2, 2)["coordinates"]]}
    index = GridIndex([(2, "B", multi), (1, "A", square(1, 1, size=0.0005)), (3, "C", {"type": "Nonsense"})])
    assert len(index) == 2
    assert index.lookup_code(2.001, 2.001) == "B"
    assert index.lookup_code(1.0002, 1.0002) == "A"  # inside both: lowest code
    assert index.lookup_id(5, 5) is None
    assert GridIndex([]).lookup_id(1, 1) is None


# -- GCJ-02 -------------------------------------------------------------------------------


def test_wgs84_to_gcj02_matches_the_public_reference_value():
    lat, lng = wgs84_to_gcj02(39.915, 116.404)
    assert lat == pytest.approx(39.91640428150164, abs=1e-10)
    assert lng == pytest.approx(116.41024449916938, abs=1e-10)


def test_gcj02_roundtrip_is_within_1e7_degree():
    rng = random.Random(1)
    worst = 0.0
    for _ in range(2000):
        lat, lng = rng.uniform(18.0, 53.0), rng.uniform(73.5, 134.5)
        back = gcj02_to_wgs84(*wgs84_to_gcj02(lat, lng))
        worst = max(worst, abs(back[0] - lat), abs(back[1] - lng))
    assert worst < 1e-7


def test_offset_in_xiamen_is_a_few_hundred_metres():
    lat, lng = 24.4798, 118.0894
    glat, glng = wgs84_to_gcj02(lat, lng)
    metres = math.hypot((glat - lat) * 111_000, (glng - lng) * 111_000 * math.cos(math.radians(lat)))
    assert 100 < metres < 1000


def test_no_offset_outside_china():
    assert out_of_china(51.5, -0.12)
    assert wgs84_to_gcj02(51.5, -0.12) == (51.5, -0.12)
    assert gcj02_to_wgs84(-33.86, 151.2) == (-33.86, 151.2)


def test_locate_gcj02_finds_the_grid_of_the_true_position(tree):
    lat, lng = 24.4711, 118.1011  # inside a1 in WGS84
    glat, glng = wgs84_to_gcj02(lat, lng)
    assert locate(glat, glng) != tree.grid_a1  # the raw phone coordinates would miss it
    assert locate_gcj02(glat, glng) == tree.grid_a1
