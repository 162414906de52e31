"""The place tree: prefix queries, code/level rules, create/update/move/delete actions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from linli.accounts.choices import Role
from linli.core.testing import make_person, square
from linli.places.actions import (
    check_create_area,
    check_delete_area,
    check_update_area,
    do_create_area,
    do_delete_area,
    do_update_area,
    parent_code_of,
)
from linli.places.models import Area
from linli.places.queries import subtree, with_parent_code

pytestmark = pytest.mark.django_db


def errors_of(excinfo):
    return excinfo.value.message_dict


# -- prefix queries ---------------------------------------------------------------


def test_subtree_of_a_street_is_one_query_with_exactly_its_descendants(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        codes = sorted(subtree(tree.street_a).values_list("code", flat=True))
    assert codes == ["350203001", "350203001001", "350203001001001", "350203001001002"]


def test_model_subtree_matches_treebeard_descendants(tree):
    district = Area.objects.get(pk=tree.district.pk)  # fixture copies predate their children
    expected = set(Area.objects.get_descendants(district, include_self=True).values_list("pk", flat=True))
    assert set(tree.district.subtree().values_list("pk", flat=True)) == expected
    assert not tree.street_b.subtree().filter(pk=tree.grid_a1.pk).exists()


def test_codes_sort_in_tree_order(tree):
    by_code = list(Area.objects.order_by("code").values_list("code", flat=True))
    by_path = list(Area.objects.order_by("path").values_list("code", flat=True))
    assert by_code == by_path


def test_parent_code_is_annotated_in_the_same_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        parents = dict(with_parent_code(Area.objects.all()).values_list("code", "parent_code"))
    assert parents["3502"] is None
    assert parents["350203001001001"] == "350203001001"
    assert parents["350203002"] == "350203"


def test_full_name(tree):
    assert tree.grid_b1.full_name() == "厦门市 思明区 中华街道 文安社区 第一网格"


# -- create: validation -------------------------------------------------------------


def test_valid_grid_is_created_with_canonical_boundary_and_centroid(tree):
    boundary = {"type": "Polygon", "coordinates": [[[118, 24], [118.001, 24], [118.001, 24.001], [118, 24.001]]]}
    kwargs = check_create_area(parent=tree.community_a, name=" 第三网格 ", level="grid", code="350203001001003", boundary=boundary)
    area = do_create_area(**kwargs)
    area.refresh_from_db()
    assert area.name == "第三网格"
    assert area.boundary["coordinates"][0][0] == area.boundary["coordinates"][0][-1]  # ring closed
    assert isinstance(area.boundary["coordinates"][0][0][0], float)
    assert 24 < area.centroid_lat < 24.001 and 118 < area.centroid_lng < 118.001
    assert Area.objects.get_parent(area) == tree.community_a
    assert Area.objects.get(pk=tree.community_a.pk).numchild == 3


@pytest.mark.parametrize(
    "parent_attr, level, code",
    [
        ("district", "community", "350203001009"),  # skips the street level
        ("community_a", "street", "350203001"),  # goes up
        ("grid_a1", "grid", "350203001001001"),  # nothing lives under a grid
    ],
)
def test_level_must_be_exactly_the_child_level(tree, parent_attr, level, code):
    with pytest.raises(ValidationError) as excinfo:
        check_create_area(parent=getattr(tree, parent_attr), name="x", level=level, code=code + "9")
    assert "level" in errors_of(excinfo)


def test_only_a_city_is_a_root(db):
    with pytest.raises(ValidationError) as excinfo:
        check_create_area(parent=None, name="思明区", level="district", code="350203")
    assert "level" in errors_of(excinfo)
    assert check_create_area(parent=None, name="福州市", level="city", code="3501")["code"] == "3501"


def test_unknown_level(tree):
    with pytest.raises(ValidationError) as excinfo:
        check_create_area(parent=tree.community_a, name="x", level="block", code="350203001001009")
    assert "level" in errors_of(excinfo)


@pytest.mark.parametrize(
    "code",
    ["35020300100100", "3502030010010011", "35020300100100a", "350203002001009", "３５０２０３００１００１００９"],
)
def test_code_length_digits_and_prefix(tree, code):
    with pytest.raises(ValidationError) as excinfo:
        check_create_area(parent=tree.community_a, name="x", level="grid", code=code)
    assert "code" in errors_of(excinfo)


def test_duplicate_code_is_refused(tree):
    with pytest.raises(ValidationError) as excinfo:
        check_create_area(parent=tree.community_a, name="x", level="grid", code=tree.grid_a1.code)
    assert "code" in errors_of(excinfo)


def test_blank_name_is_refused(tree):
    with pytest.raises(ValidationError) as excinfo:
        check_create_area(parent=tree.community_a, name="  ", level="grid", code="350203001001009")
    assert "name" in errors_of(excinfo)


BOWTIE = {"type": "Polygon", "coordinates": [[[118, 24], [118.01, 24.01], [118.01, 24], [118, 24.01], [118, 24]]]}


@pytest.mark.parametrize(
    "boundary",
    [
        BOWTIE,  # self-intersecting
        {"type": "Point", "coordinates": [118, 24]},
        {"type": "LineString", "coordinates": [[118, 24], [118.01, 24]]},
        square(181.0, 24.0),  # longitude out of range
        square(118.0, 91.0),  # latitude out of range
        {"type": "Polygon", "coordinates": [[[118, 24], [118.01, float("nan")], [118.01, 24.01], [118, 24]]]},
        {"type": "Polygon", "coordinates": [[[118, 24], [118.01, 24]]]},  # too few points
        {"type": "Polygon", "coordinates": [[["118", "24"], [118.01, 24], [118.01, 24.01], [118, 24]]]},
        {"type": "Polygon"},
        "POLYGON((0 0, 1 0, 1 1, 0 0))",
    ],
)
def test_invalid_geometry_is_refused(tree, boundary):
    with pytest.raises(ValidationError) as excinfo:
        check_create_area(parent=tree.community_a, name="x", level="grid", code="350203001001009", boundary=boundary)
    assert list(errors_of(excinfo)) == ["boundary"]


def test_multipolygon_is_accepted(tree):
    boundary = {"type": "MultiPolygon", "coordinates": [square(118.2, 24.5)["coordinates"], square(118.3, 24.5)["coordinates"]]}
    kwargs = check_create_area(parent=tree.community_a, name="飞地网格", level="grid", code="350203001001009", boundary=boundary)
    assert kwargs["boundary"]["type"] == "MultiPolygon"


# -- permissions ------------------------------------------------------------------------


def test_actor_needs_places_manage_on_the_parent(tree):
    admin_a = make_person("13900000100", "街道管理员", Role.SYSTEM_ADMIN, tree.street_a)
    dispatcher = make_person("13900000101", "调度员", Role.COMMAND_CENTER, tree.street_a)
    args = dict(name="第三网格", level="grid", code="350203001001003")
    assert check_create_area(actor=admin_a, parent=tree.community_a, **args)
    with pytest.raises(PermissionDenied):
        check_create_area(actor=dispatcher, parent=tree.community_a, **args)
    with pytest.raises(PermissionDenied):
        check_create_area(actor=admin_a, parent=tree.community_b, name="x", level="grid", code="350203002001003")
    with pytest.raises(PermissionDenied):
        check_create_area(actor=admin_a, parent=None, name="福州市", level="city", code="3501")


# -- update, move, delete ------------------------------------------------------------------


def test_rename_and_new_boundary(tree):
    changes = check_update_area(tree.grid_a1, name="一网格", boundary=square(118.100, 24.470, size=0.001))
    assert set(changes) == {"name", "boundary"}
    area = do_update_area(tree.grid_a1, **changes)
    area.refresh_from_db()
    assert area.name == "一网格"
    assert area.centroid_lat < 24.471
    assert check_update_area(area, name="一网格") == {}


def test_move_a_grid_to_another_community(tree):
    changes = check_update_area(tree.grid_a2, parent=tree.community_b, code="350203002001002")
    area = do_update_area(tree.grid_a2, **changes)
    assert Area.objects.get_parent(area) == tree.community_b
    assert Area.objects.get(pk=tree.community_a.pk).numchild == 1
    assert Area.objects.get(pk=tree.community_b.pk).numchild == 2
    assert set(subtree(tree.street_b).values_list("code", flat=True)) >= {"350203002001002"}


def test_moving_needs_a_code_under_the_new_parent(tree):
    with pytest.raises(ValidationError) as excinfo:
        check_update_area(tree.grid_a2, parent=tree.community_b)
    assert "code" in errors_of(excinfo)


def test_moving_a_community_renumbers_and_carries_its_grids(tree):
    changes = check_update_area(tree.community_a, parent=tree.street_b, code="350203002002")
    area = do_update_area(tree.community_a, **changes)
    grids = list(Area.objects.get_children(area).order_by("code").values_list("code", flat=True))
    assert grids == ["350203002002001", "350203002002002"]
    assert not subtree(tree.street_a).exclude(pk=tree.street_a.pk).exists()
    assert subtree(tree.street_b).count() == 6
    assert Area.objects.get_parent(Area.objects.get(pk=tree.grid_a1.pk)).code == "350203002002"


def test_renumbering_must_not_collide(tree):
    # community_a → 350203002001 is taken by community_b.
    with pytest.raises(ValidationError) as excinfo:
        check_update_area(tree.community_a, parent=tree.street_b, code=tree.community_b.code)
    assert "code" in errors_of(excinfo)


def test_level_cannot_change_through_a_move(tree):
    with pytest.raises(ValidationError) as excinfo:
        check_update_area(tree.grid_a1, parent=tree.street_b, code="350203002001")
    assert "level" in errors_of(excinfo) or "code" in errors_of(excinfo)


def test_delete_a_leaf_but_not_a_parent(tree):
    with pytest.raises(ValidationError):
        check_delete_area(tree.community_a)
    do_delete_area(**check_delete_area(tree.grid_a2))
    assert not Area.objects.filter(code="350203001001002").exists()
    assert Area.objects.get(pk=tree.community_a.pk).numchild == 1


def test_parent_code_of():
    assert parent_code_of("350203001001001", "grid") == "350203001001"
    assert parent_code_of("350203", "district") == "3502"
    assert parent_code_of("3502", "city") is None
