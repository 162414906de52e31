"""pytest fixtures shared by every app: a place tree in two streets and personas.

    厦门市 3502
    └─ 思明区 350203
       ├─ 开元街道 350203001           (street A)
       │  └─ 坑内社区 350203001001
       │     ├─ 第一网格 350203001001001
       │     └─ 第二网格 350203001001002
       └─ 中华街道 350203002           (street B)
          └─ 文安社区 350203002001
             └─ 第一网格 350203002001001
"""

from dataclasses import dataclass

import pytest

from linli.accounts.choices import Role, StaffTier
from linli.accounts.models import RoleAssignment, User
from linli.places.actions import do_create_area


def square(lng, lat, size=0.002):
    """A GeoJSON square polygon with its south-west corner at (lng, lat)."""
    return {
        "type": "Polygon",
        "coordinates": [[[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]],
    }


@dataclass
class Tree:
    city: object
    district: object
    street_a: object
    community_a: object
    grid_a1: object
    grid_a2: object
    street_b: object
    community_b: object
    grid_b1: object


@pytest.fixture
def tree(db):
    city = do_create_area(parent=None, name="厦门市", level="city", code="3502")
    district = do_create_area(parent=city, name="思明区", level="district", code="350203")
    street_a = do_create_area(parent=district, name="开元街道", level="street", code="350203001")
    community_a = do_create_area(parent=street_a, name="坑内社区", level="community", code="350203001001")
    grid_a1 = do_create_area(
        parent=community_a, name="第一网格", level="grid", code="350203001001001", boundary=square(118.100, 24.470)
    )
    grid_a2 = do_create_area(
        parent=community_a, name="第二网格", level="grid", code="350203001001002", boundary=square(118.102, 24.470)
    )
    street_b = do_create_area(parent=district, name="中华街道", level="street", code="350203002")
    community_b = do_create_area(parent=street_b, name="文安社区", level="community", code="350203002001")
    grid_b1 = do_create_area(
        parent=community_b, name="第一网格", level="grid", code="350203002001001", boundary=square(118.080, 24.455)
    )
    return Tree(city, district, street_a, community_a, grid_a1, grid_a2, street_b, community_b, grid_b1)


def make_person(phone, name, role=None, area=None, organization=None, tier="", password="pass-for-tests-1"):
    user = User.objects.create_user(phone=phone, name=name, password=password)
    if role:
        RoleAssignment.objects.create(user=user, role=role, area=area, organization=organization, tier=tier)
    return user


@dataclass
class Personas:
    resident: User
    grid_worker: User
    community_staff: User
    street_dispatcher: User
    other_street_dispatcher: User
    outsider: User


@pytest.fixture
def personas(tree):
    """One person per role in street A, a dispatcher in street B, and an outsider with no role."""
    return Personas(
        resident=make_person("13900000001", "居民甲", Role.RESIDENT, tree.community_a),
        grid_worker=make_person("13900000002", "网格员甲", Role.GRID_WORKER, tree.grid_a1),
        community_staff=make_person(
            "13900000003", "社区干部甲", Role.COMMUNITY_STAFF, tree.community_a, tier=StaffTier.HEAD
        ),
        street_dispatcher=make_person("13900000004", "街道调度甲", Role.COMMAND_CENTER, tree.street_a),
        other_street_dispatcher=make_person("13900000005", "街道调度乙", Role.COMMAND_CENTER, tree.street_b),
        outsider=make_person("13900000006", "路人"),
    )
