from io import StringIO
from itertools import combinations
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from shapely.geometry import shape
from shapely.ops import unary_union

from linli.accounts.choices import Role
from linli.accounts.models import RoleAssignment, User
from linli.orgs.models import Membership, Organization, Pairing
from linli.orgs.queries import coverage_by_host, coverage_by_level
from linli.places.models import Area
from linli.points.models import (
    PointsAccount,
    PointsEntry,
    PointsYearTotal,
    Redemption,
    Reward,
)
from linli.service_orders.models import (
    AssignedVolunteer,
    ServiceOffering,
    ServiceOrder,
    ServiceOrderEvent,
)
from linli.site.demo import data
from linli.volunteering import demo as volunteering_demo
from linli.volunteering.models import (
    Activity,
    Attendance,
    Enrolment,
    ServiceCertificate,
    Venue,
    Volunteer,
)

MODELS = [
    Area, Organization, Membership, Pairing, User, RoleAssignment,
    Volunteer, Activity, Venue, Enrolment, Attendance, ServiceCertificate,
    ServiceOffering, ServiceOrder, ServiceOrderEvent, AssignedVolunteer,
    PointsAccount, PointsEntry, PointsYearTotal, Reward, Redemption,
]


@pytest.fixture
def demo(demo_once, db):
    return demo_once


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_prints_the_accounts_and_the_login_url(demo):
    assert data.LOGIN_URL in demo
    assert data.DEMO_PASSWORD in demo
    for phone, *_rest in data.ACCOUNTS:
        assert phone in demo


def test_is_idempotent(demo):
    before = counts()
    assert all(before.values())
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert counts() == before
    assert data.LOGIN_URL in out.getvalue()


def test_city_and_six_districts(demo):
    city = Area.objects.get(code="3502")
    districts = dict(Area.objects.filter(level="district").values_list("code", "name"))
    assert districts == dict(data.DISTRICTS)
    assert all(code.startswith(city.code) for code in districts)
    assert Area.objects.get(code="350203001").name == "开元街道"
    assert Area.objects.filter(path__startswith=Area.objects.get(code="350203001").path, level="community").count() == 12


def test_fifteen_grids_adjoin_without_overlap(demo):
    community = Area.objects.get(code=data.GRID_COMMUNITY)
    grids = list(Area.objects.filter(path__startswith=community.path, level="grid").order_by("code"))
    assert len(grids) == 15
    assert [g.code for g in grids] == [f"{community.code}{n:03d}" for n in range(1, 16)]
    shapes = [shape(g.boundary) for g in grids]
    for grid, polygon in zip(grids, shapes):
        assert polygon.is_valid and polygon.geom_type == "Polygon"
        west, south, east, north = polygon.bounds
        assert 118.09 <= west < east <= 118.12 and 24.46 <= south < north <= 24.48
        assert grid.centroid_lat and polygon.contains(shape({"type": "Point", "coordinates": [grid.centroid_lng, grid.centroid_lat]}))

    neighbours = {i: 0 for i in range(15)}
    for (i, a), (j, b) in combinations(enumerate(shapes), 2):
        assert a.intersection(b).area < 1e-14, (grids[i].name, grids[j].name)
        shared = a.intersection(b)
        if shared.length > 0:  # a shared edge, not just a corner
            neighbours[i] += 1
            neighbours[j] += 1
    # On a 5 × 3 layout, corners have 2 neighbours, edges 3, the middle 4.
    assert sorted(neighbours.values()) == [2] * 4 + [3] * 8 + [4] * 3

    union = unary_union(shapes)
    assert union.geom_type == "Polygon" and not union.interiors  # no gaps
    assert abs(union.area - sum(s.area for s in shapes)) < 1e-14
    assert union.symmetric_difference(shape(community.boundary)).area < 1e-12


def test_communities_of_kaiyuan_tile_the_street(demo):
    street = Area.objects.get(code=data.KAIYUAN)
    shapes = [shape(a.boundary) for a in Area.objects.filter(path__startswith=street.path, level="community")]
    assert len(shapes) == 12 and all(s.is_valid for s in shapes)
    assert max(a.intersection(b).area for a, b in combinations(shapes, 2)) < 1e-14
    assert unary_union(shapes).symmetric_difference(shape(street.boundary)).area < 1e-12


def test_one_account_per_role(demo):
    phones = [phone for phone, *_rest in data.ACCOUNTS]
    holders = {}
    for role, phone in RoleAssignment.objects.filter(user__phone__in=phones).values_list("role", "user__phone"):
        holders.setdefault(role, []).append(phone)
    assert sorted(holders) == sorted(Role.values)
    assert all(len(p) == 1 for p in holders.values())

    for phone, _name, role, *_rest in data.ACCOUNTS:
        user = User.objects.get(phone=phone)
        if role == Role.RESIDENT:
            assert not user.has_usable_password()  # one-time code only
        else:
            assert user.check_password(data.DEMO_PASSWORD)
        assert user.is_superuser == (role == Role.SYSTEM_ADMIN)
    staff = RoleAssignment.objects.get(role=Role.COMMUNITY_STAFF, user__phone__in=phones)
    assert staff.tier == "head"
    assert RoleAssignment.objects.get(role=Role.COMMAND_CENTER, user__phone__in=phones).area.name == "开元街道"


def test_organization_network(demo):
    city = Organization.objects.get(name="厦门市妇联")
    chain = ["思明区妇联", "开元街道妇联", "坑内社区妇联"]
    parent = city
    for name in chain:  # four levels
        org = Organization.objects.get(name=name)
        assert org.path.startswith(parent.path) and org.depth == parent.depth + 1
        parent = org
    # 交叉任职: one chair for the business district and 文安社区.
    chairs = Membership.objects.filter(role="chair", organization__name__in=["中山路商圈妇联", "文安社区妇联"])
    assert chairs.count() == 2 and len({m.user_id for m in chairs}) == 1
    # “1+1+1”: a government unit and an enterprise with one station.
    station = Organization.objects.get(name="吕厝社区新时代文明实践站")
    assert sorted(Pairing.objects.filter(station=station).values_list("unit__kind", flat=True)) == ["department", "enterprise"]
    assert Pairing.objects.filter(kind="area_link").exists()
    assert Organization.objects.filter(kind="volunteer_team", name__in=data.FOUR_COLOUR_TEAMS).count() == 4


def test_coverage_figures(demo):
    kaiyuan = Area.objects.get(code=data.KAIYUAN)
    stations = coverage_by_level(kaiyuan, "civ_center", "community")
    assert (stations.total, stations.covered) == (12, len(data.KAIYUAN_STATIONS))
    assert coverage_by_level(kaiyuan, "womens_federation", "community").rate == 1.0
    city = Area.objects.get(code="3502")
    assert coverage_by_level(city, "civ_center", "district").rate == 1.0
    social = coverage_by_host(city, "social_org", "womens_federation", new_sector="new_social_org")
    assert social.total >= 5 and social.rate == 1.0
    assert coverage_by_host(city, "enterprise", "womens_federation").rate == 1.0


def test_docs_list_every_account():
    text = (Path(settings.BASE_DIR) / "docs" / "demo.md").read_text(encoding="utf-8")
    assert data.DEMO_PASSWORD in text and data.LOGIN_URL in text
    for phone, _name, role, *_rest in data.ACCOUNTS:
        assert phone in text and role in text
    assert volunteering_demo.TEAM_LEADER in text and volunteering_demo.VOLUNTEER in text
