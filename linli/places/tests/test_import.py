"""manage.py import_areas: good files, idempotent reruns, updates, moves, and every kind of bad file."""

import copy
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from linli.core.testing import square
from linli.places.actions import do_create_area
from linli.places.locate import locate_code
from linli.places.models import Area

pytestmark = pytest.mark.django_db


def feature(code, name, level, parent_code, geometry=None):
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {"code": code, "name": name, "level": level, "parent_code": parent_code},
    }


def good_collection():
    """A small tree; children listed before parents on purpose."""
    return {
        "type": "FeatureCollection",
        "features": [
            feature("350206001001001", "第一网格", "grid", "350206001001", square(118.10, 24.50)),
            feature("350206001001002", "第二网格", "grid", "350206001001", square(118.102, 24.50)),
            feature("350206001001", "殿前社区", "community", "350206001"),
            feature("350206001", "殿前街道", "street", "350206"),
            feature("350206", "湖里区", "district", "3502"),
            feature("3502", "厦门市", "city", None),
        ],
    }


@pytest.fixture
def run(tmp_path, capsys):
    """Write `data` (a dict, or raw text) to a file and import it; returns (stdout, stderr)."""

    def run(data, *args):
        path = tmp_path / "areas.geojson"
        path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
        with translation.override("en"):  # assertions read the English msgids
            call_command("import_areas", str(path), *args)
        captured = capsys.readouterr()
        return captured.out, captured.err

    return run


def snapshot():
    return sorted(Area.objects.values_list("code", "name", "path", "numchild", "boundary", "updated_at"))


# -- good files ------------------------------------------------------------------------


def test_good_file_creates_the_tree(run):
    out, _ = run(good_collection())
    assert "6" in out
    grid = Area.objects.get(code="350206001001002")
    assert [a.code for a in Area.objects.get_ancestors(grid)] == ["3502", "350206", "350206001", "350206001001"]
    assert grid.boundary["type"] == "Polygon" and grid.centroid_lat is not None
    assert Area.objects.get(code="350206001001").numchild == 2
    assert locate_code(24.501, 118.103) == "350206001001002"


def test_second_run_changes_nothing(run):
    run(good_collection())
    before = snapshot()
    out, _ = run(good_collection())
    assert snapshot() == before  # not even updated_at
    assert "0" in out and "6" in out


def test_changed_name_and_geometry_update_in_place(run):
    run(good_collection())
    grid_pk = Area.objects.get(code="350206001001001").pk
    data = good_collection()
    data["features"][0]["properties"]["name"] = "一号网格"
    data["features"][0]["geometry"] = square(118.20, 24.50)
    run(data)
    grid = Area.objects.get(code="350206001001001")
    assert (grid.pk, grid.name) == (grid_pk, "一号网格")
    assert grid.boundary["coordinates"][0][0] == [118.2, 24.5]
    assert locate_code(24.501, 118.201) == "350206001001001"
    assert locate_code(24.501, 118.101) is None


def test_parents_may_already_be_in_the_database(tree, run):
    data = {
        "type": "FeatureCollection",
        "features": [feature("350203001001003", "第三网格", "grid", "350203001001", square(118.104, 24.47))],
    }
    run(data)
    assert Area.objects.get_parent(Area.objects.get(code="350203001001003")) == tree.community_a


def test_a_changed_parent_moves_the_node(tree, run):
    # A grid left under the wrong community (say, by an older tool that did not check codes).
    other = do_create_area(parent=tree.street_a, name="新社区", level="community", code="350203001002")
    misplaced = do_create_area(parent=tree.community_a, name="错放网格", level="grid", code="350203001002001")
    data = {
        "type": "FeatureCollection",
        "features": [feature("350203001002001", "错放网格", "grid", "350203001002")],
    }
    out, _ = run(data)
    moved = Area.objects.get(pk=misplaced.pk)
    assert Area.objects.get_parent(moved) == other
    assert Area.objects.get(pk=tree.community_a.pk).numchild == 2
    assert "1" in out


def test_gcj02_boundaries_are_stored_as_wgs84(run):
    from linli.places.coords import wgs84_to_gcj02

    data = good_collection()
    ring = data["features"][0]["geometry"]["coordinates"][0]
    gcj_ring = []
    for lng, lat in ring:
        glat, glng = wgs84_to_gcj02(lat, lng)
        gcj_ring.append([glng, glat])
    data["features"][0]["geometry"]["coordinates"][0] = gcj_ring
    run(data, "--coord-system", "gcj02")
    stored = Area.objects.get(code="350206001001001").boundary["coordinates"][0]
    for (lng, lat), (want_lng, want_lat) in zip(stored, ring):
        assert lng == pytest.approx(want_lng, abs=1e-7) and lat == pytest.approx(want_lat, abs=1e-7)


def test_dry_run_writes_nothing(run):
    out, _ = run(good_collection(), "--dry-run")
    assert Area.objects.count() == 0
    assert "6" in out


def test_codes_may_be_json_numbers_and_a_bom_is_fine(run, tmp_path):
    data = good_collection()
    for f in data["features"]:
        f["properties"]["code"] = int(f["properties"]["code"])
    path = tmp_path / "bom.geojson"
    path.write_text(json.dumps(data), encoding="utf-8-sig")
    call_command("import_areas", str(path))
    assert Area.objects.filter(code="350206001001001").exists()


# -- bad files: a clear report, and nothing written --------------------------------------


def bad(mutate):
    data = good_collection()
    mutate(data)
    return data


def set_prop(index, key, value):
    def mutate(data):
        data["features"][index]["properties"][key] = value

    return mutate


def del_prop(index, key):
    def mutate(data):
        del data["features"][index]["properties"][key]

    return mutate


def set_geometry(index, geometry):
    def mutate(data):
        data["features"][index]["geometry"] = geometry

    return mutate


def append(*features):
    def mutate(data):
        data["features"].extend(copy.deepcopy(features))

    return mutate


BOWTIE = {"type": "Polygon", "coordinates": [[[118, 24], [118.01, 24.01], [118.01, 24], [118, 24.01], [118, 24]]]}

BAD_FILES = {
    "invalid_json": ('{"type": "FeatureCollection", "features": [', None, "JSON"),
    "not_a_feature_collection": ({"type": "Feature", "properties": {}}, None, "FeatureCollection"),
    "features_not_a_list": ({"type": "FeatureCollection", "features": {}}, None, "FeatureCollection"),
    "no_features": ({"type": "FeatureCollection", "features": []}, None, "no features"),
    "not_a_feature": (bad(lambda d: d["features"].append(["x"])), 6, "Feature"),
    "missing_properties": (bad(del_prop(0, "name")), 0, "name"),
    "no_properties_object": (bad(lambda d: d["features"][1].update(properties=None)), 1, "properties"),
    "unknown_level": (bad(set_prop(2, "level", "block")), 2, "block"),
    "self_intersecting_geometry": (bad(set_geometry(1, BOWTIE)), 1, "valid"),
    "wrong_geometry_type": (bad(set_geometry(1, {"type": "Point", "coordinates": [118.1, 24.5]})), 1, "Point"),
    "out_of_range_coordinates": (bad(set_geometry(1, square(118.1, 95.0))), 1, "range"),
    "unknown_parent": (bad(set_prop(3, "parent_code", "350299")), 3, "350299"),
    "duplicate_code": (bad(append(feature("350206001001001", "重复网格", "grid", "350206001001"))), 6, "Duplicate"),
    "code_not_extending_parent": (
        bad(append(feature("350206002001001", "外来网格", "grid", "350206001001"))),
        6,
        "350206001001",
    ),
    "wrong_level_under_parent": (bad(set_prop(2, "level", "grid")), 2, "level" and "Community"),
    "root_that_is_not_a_city": (bad(set_prop(4, "parent_code", None)), 4, "city"),
    "code_with_letters": (bad(set_prop(0, "code", "35020600100100A")), 0, "digits"),
}


@pytest.mark.parametrize("data, index, hint", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_file_reports_and_writes_nothing(tree, run, capsys, data, index, hint):
    before = snapshot()
    with pytest.raises(CommandError, match="nothing was imported"):
        run(data)
    err = capsys.readouterr().err
    assert hint.lower() in err.lower()
    if index is not None:
        assert f"Feature {index}" in err
    assert snapshot() == before


def test_every_problem_is_reported_at_once(run, capsys):
    data = good_collection()
    data["features"][0]["geometry"] = BOWTIE
    data["features"][1]["properties"]["level"] = "block"
    data["features"].append(feature("3502", "厦门市", "city", None))
    with pytest.raises(CommandError, match="3 problem"):
        run(data)
    err = capsys.readouterr().err
    assert "Feature 0 (code 350206001001001)" in err
    assert "Feature 1 (code 350206001001002)" in err
    assert "Feature 6 (code 3502)" in err


def test_an_error_in_the_last_feature_still_writes_nothing(run):
    data = good_collection()
    data["features"].append(feature("350206001001003", "坏网格", "grid", "350206001001", BOWTIE))
    with pytest.raises(CommandError):
        run(data)
    assert Area.objects.count() == 0


def test_an_existing_area_cannot_change_level(tree, run, capsys):
    # Stored inconsistently (a 15-digit "community"), e.g. by an older tool.
    do_create_area(parent=tree.community_a, name="怪区", level="community", code="350203001001009")
    data = {"type": "FeatureCollection", "features": [feature("350203001001009", "怪区", "grid", "350203001001")]}
    with pytest.raises(CommandError):
        run(data)
    assert "cannot change to grid" in capsys.readouterr().err.lower()


def test_missing_file(run):
    with pytest.raises(CommandError, match="nope.geojson"), translation.override("en"):
        call_command("import_areas", "/nonexistent/nope.geojson")
