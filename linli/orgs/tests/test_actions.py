import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from linli.accounts.choices import Role
from linli.core.testing import make_person
from linli.orgs.actions import (
    check_add_membership,
    check_create_organization,
    check_create_pairing,
    check_move_organization,
    check_remove_membership,
    check_update_membership,
    check_update_organization,
    do_add_membership,
)
from linli.orgs.models import Membership, Organization, Pairing

from .conftest import make_org


def errors_of(excinfo):
    return excinfo.value.message_dict


def create(actor, **kwargs):
    kwargs.setdefault("parent", None)
    return check_create_organization(actor, **kwargs)


# -- create ----------------------------------------------------------------------


def test_create_cleans_and_tags(admin, tree, federations):
    org = create(
        admin,
        parent=federations["street_a"],
        name="  开元街道社会组织妇联 ",
        kind="womens_federation",
        area=tree.street_a,
        new_sectors=["new_social_org", "new_social_org"],
    )
    assert org.name == "开元街道社会组织妇联"
    assert org.new_sectors == ["new_social_org"]
    assert org.path.startswith(federations["street_a"].path) and org.depth == 4


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"new_sectors": ["gig_economy"]}, "new_sectors"),
        ({"name": " "}, "name"),
        ({"name": "长" * 121}, "name"),
        ({"kind": "club"}, "kind"),
        ({"area": None}, "area"),
    ],
)
def test_create_rejects_bad_fields(admin, tree, changes, field):
    fields = {**dict(name="新组织", kind="social_org", area=tree.street_a), **changes}
    with pytest.raises(ValidationError) as excinfo:
        create(admin, **fields)
    assert field in errors_of(excinfo)
    assert not Organization.objects.exists()


def test_child_serves_inside_its_parents_area(admin, tree, federations):
    with pytest.raises(ValidationError) as excinfo:
        create(admin, parent=federations["street_a"], name="文安社区妇联", kind="womens_federation", area=tree.community_b)
    assert "area" in errors_of(excinfo)


def test_practice_bodies_follow_the_area_levels(admin, tree):
    with pytest.raises(ValidationError):
        create(admin, name="厦门市新时代文明实践中心", kind="civ_center", area=tree.city)
    center = create(admin, name="思明区新时代文明实践中心", kind="civ_center", area=tree.district)
    institute = create(admin, parent=center, name="开元街道新时代文明实践所", kind="civ_center", area=tree.street_a)
    with pytest.raises(ValidationError):  # a station beside its institute, on the same level
        create(admin, parent=institute, name="开元街道另一所", kind="civ_center", area=tree.street_a)
    station = create(admin, parent=institute, name="坑内社区新时代文明实践站", kind="civ_center", area=tree.community_a)
    assert str(station.civ_center_title) and station.area == tree.community_a
    # Any other kind may sit under a station, e.g. its volunteer teams.
    create(admin, parent=station, name="红色宣讲团", kind="volunteer_team", area=tree.community_a)


def test_womens_homes_belong_to_a_federation_and_hold_nothing(admin, tree, federations):
    with pytest.raises(ValidationError) as excinfo:
        create(admin, name="坑内社区妇女之家", kind="women_home", area=tree.community_a)
    assert "parent" in errors_of(excinfo)
    home = create(
        admin, parent=federations["community_a"], name="坑内社区妇女之家", kind="women_home", area=tree.community_a
    )
    with pytest.raises(ValidationError) as excinfo:
        create(admin, parent=home, name="读书会", kind="volunteer_team", area=tree.community_a)
    assert "parent" in errors_of(excinfo)


def test_no_twin_under_one_parent(admin, tree, federations):
    with pytest.raises(ValidationError) as excinfo:
        create(admin, parent=federations["street_a"], name="坑内社区妇联", kind="womens_federation", area=tree.community_a)
    assert "name" in errors_of(excinfo)


def test_permission_404_outside_view_403_inside(personas, tree, federations):
    # Another street's dispatcher cannot see street A's federation at all.
    with pytest.raises(Http404):
        create(personas.other_street_dispatcher, parent=federations["street_a"], name="x", kind="party", area=tree.street_a)
    # Street A's dispatcher sees it but does not manage organizations.
    with pytest.raises(PermissionDenied):
        create(personas.street_dispatcher, parent=federations["street_a"], name="x", kind="party", area=tree.street_a)


def test_org_admin_manages_its_subtree_only(tree, federations):
    street_admin = make_person("13700000010", "街道妇联管理员", Role.ORG_ADMIN, organization=federations["street_a"])
    create(street_admin, parent=federations["community_a"], name="坑内社区妇女微家", kind="women_micro_home", area=tree.grid_a1)
    with pytest.raises((Http404, PermissionDenied)):
        create(street_admin, parent=federations["district"], name="中华街道妇联", kind="womens_federation", area=tree.street_b)


# -- update and move ------------------------------------------------------------------


def test_update_checks_children(admin, tree, federations):
    street_a = federations["street_a"]
    with pytest.raises(ValidationError) as excinfo:  # its community federation would fall outside
        check_update_organization(admin, street_a, area=tree.street_b)
    assert "area" in errors_of(excinfo)
    with pytest.raises(ValidationError):
        check_update_organization(admin, street_a, new_sectors=["unknown"])
    with pytest.raises(ValueError):
        check_update_organization(admin, street_a, path="0001")
    check_update_organization(admin, street_a, name="开元街道妇女联合会", new_sectors=["new_business_form"])
    street_a.refresh_from_db()
    assert (street_a.name, street_a.new_sectors) == ("开元街道妇女联合会", ["new_business_form"])


def test_move_carries_the_subtree(admin, tree, federations):
    host = make_org("中山路商圈", "business_district", tree.district)
    community_a = federations["community_a"]
    with pytest.raises(ValidationError):  # not under its own descendant
        check_move_organization(admin, federations["street_a"], community_a)
    check_move_organization(admin, federations["street_a"], host)
    moved = Organization.objects.get(pk=federations["street_a"].pk)
    assert moved.path.startswith(host.path)
    community_a.refresh_from_db()
    assert community_a.path.startswith(moved.path) and community_a.depth == moved.depth + 1
    # And back to the top.
    check_move_organization(admin, moved, None)
    moved.refresh_from_db()
    assert moved.depth == 1


def test_move_checks_the_new_parents_area(admin, tree, federations):
    other = make_org("中华街道妇联", "womens_federation", tree.street_b, parent=federations["district"])
    with pytest.raises(ValidationError) as excinfo:
        check_move_organization(admin, federations["community_a"], other)
    assert "area" in errors_of(excinfo)


# -- memberships -----------------------------------------------------------------


def test_memberships(admin, tree, federations, personas):
    chair = make_person("13700000021", "洪女士")
    check_add_membership(admin, chair, federations["community_a"], "chair")
    # 交叉任职: the same person chairs another organization too.
    business = make_org("中山路商圈妇联", "womens_federation", tree.street_b)
    check_add_membership(admin, chair, business, "chair")
    assert Membership.objects.filter(user=chair, role="chair").count() == 2

    with pytest.raises(ValidationError) as excinfo:  # the same role twice
        check_add_membership(admin, chair, business, "chair")
    assert "role" in errors_of(excinfo)
    with pytest.raises(ValidationError):  # a second chair
        check_add_membership(admin, personas.community_staff, business, "chair")
    with pytest.raises(ValidationError):
        check_add_membership(admin, personas.community_staff, business, "boss")

    member = check_add_membership(admin, personas.community_staff, business, "executive")
    with pytest.raises(ValidationError):
        check_update_membership(admin, member, role="chair")
    check_update_membership(admin, member, role="vice_chair")
    assert Membership.objects.get(pk=member.pk).role == "vice_chair"
    check_remove_membership(admin, member)
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_do_add_membership_is_idempotent(tree, federations, personas):
    first = do_add_membership(personas.community_staff, federations["community_a"], "member")
    assert do_add_membership(personas.community_staff, federations["community_a"], "member") == first


# -- pairings ----------------------------------------------------------------------


@pytest.fixture
def station(tree):
    center = make_org("思明区新时代文明实践中心", "civ_center", tree.district)
    institute = make_org("开元街道新时代文明实践所", "civ_center", tree.street_a, parent=center)
    return make_org("坑内社区新时代文明实践站", "civ_center", tree.community_a, parent=institute)


def test_pairings(admin, tree, station):
    office = make_org("湖里区市场监督管理局", "department", tree.district)
    company = make_org("厦门亿联网络技术股份有限公司", "enterprise", tree.district, new_sectors=["new_economic_org"])
    # “1+1+1”: a government unit and a non-public enterprise with one station.
    check_create_pairing(admin, office, "co_building", station=station)
    check_create_pairing(admin, company, "co_building", station=station)
    # 包片联村: a unit looks after a community.
    check_create_pairing(admin, office, "area_link", area=tree.community_a)
    assert Pairing.objects.filter(station=station).count() == 2

    with pytest.raises(ValidationError):
        check_create_pairing(admin, office, "co_building", station=station)
    with pytest.raises(ValidationError):
        check_create_pairing(admin, office, "area_link", area=tree.community_a)


@pytest.mark.parametrize(
    "case, field",
    [("both", "area"), ("neither", "area"), ("not_a_station", "station"), ("area_link_to_station", "kind"),
     ("unknown_kind", "kind"), ("itself", "station")],
)
def test_pairing_validation(admin, tree, station, case, field):
    unit = make_org("厦门水务集团有限公司", "department", tree.city)
    kwargs = {
        "both": dict(kind="co_building", area=tree.community_a, station=station),
        "neither": dict(kind="co_building"),
        "not_a_station": dict(kind="co_building", station=unit),
        "area_link_to_station": dict(kind="area_link", station=station),
        "unknown_kind": dict(kind="twinning", area=tree.community_a),
        "itself": dict(kind="co_building", station=station),
    }[case]
    pairing_unit = station if case == "itself" else unit
    with pytest.raises(ValidationError) as excinfo:
        check_create_pairing(admin, pairing_unit, **kwargs)
    assert field in errors_of(excinfo)
    assert not Pairing.objects.exists()


def test_pairing_permission(personas, tree, station):
    unit = make_org("厦门水务集团有限公司", "department", tree.city)
    with pytest.raises(Http404):
        check_create_pairing(personas.outsider, unit, "area_link", area=tree.community_a)
    # The station's org admin may pair a unit with it.
    station_admin = make_person("13700000030", "站长", Role.ORG_ADMIN, organization=station)
    check_create_pairing(station_admin, unit, "co_building", station=station)
