"""Demo data for `python manage.py load_demo`: Xiamen, from the field reports.

Idempotent: everything is looked up by its natural key (area code,
organization name and kind, phone) and only what is missing is created, all
in one transaction, through the same actions the pages use.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from linli.core.registry import demo_loaders

from linli.accounts.actions import check_assign_role
from linli.accounts.models import RoleAssignment, User
from linli.orgs.actions import check_add_membership, check_create_organization, check_create_pairing
from linli.orgs.models import Membership, Organization, Pairing
from linli.places.actions import check_create_area, do_create_area
from linli.places.models import Area

from . import data, geo


@dataclass
class DemoResult:
    created: Counter = field(default_factory=Counter)
    accounts: list = field(default_factory=list)  # rows of (phone, password, role, node)

    @property
    def created_anything(self):
        return any(self.created.values())


class Loader:
    def __init__(self):
        self.result = DemoResult()
        self.actor = None
        self.areas = {}  # code → Area
        self.orgs = {}  # name → Organization
        self.password = data.DEMO_PASSWORD  # of every staff account (apps' loaders use it)
        self.one_time_code = data.ONE_TIME_CODE  # shown instead of a resident's password
        self.when_done = []  # run after load_demo's transaction ends, committed or rolled back

    # -- places ---------------------------------------------------------------
    def area(self, parent, code, name, level, boundary=None):
        area = Area.objects.filter(code=code).first()
        if area is None:
            fields = check_create_area(actor=self.actor, parent=parent, name=name, level=level, code=code, boundary=boundary)
            area = do_create_area(**fields)
            self.result.created["areas"] += 1
        self.areas[code] = area
        return area

    def places(self):
        city = self.area(None, *data.CITY, "city")
        for code, name in data.DISTRICTS:
            self.area(city, code, name, "district")

        # 开元街道: a jittered 4 × 3 lattice of communities; one of them split into 15 grids.
        west, south, east, north = data.KAIYUAN_BOX
        lattice = geo.lattice(west, south, east, north, 4, 3, jitter=0.12, seed=3502)
        grid_cell = next(cell for suffix, _n, cell in data.KAIYUAN_COMMUNITIES if data.KAIYUAN + suffix == data.GRID_COMMUNITY)
        grids = geo.subdivide(geo.cell_corners(lattice, *grid_cell), data.GRID_COLUMNS, data.GRID_ROWS, jitter=0.25, seed=350203)
        shared = geo.edge_points(grids)

        for district, code, name in data.STREETS:
            boundary = geo.polygon(geo.outline(lattice)) if code == data.KAIYUAN else None
            self.area(self.areas[district], code, name, "street", boundary)
        kaiyuan = self.areas[data.KAIYUAN]
        for suffix, name, (i, j) in data.KAIYUAN_COMMUNITIES:
            corners = geo.cell_corners(lattice, i, j)
            ring = geo.outline(grids) if (i, j) == grid_cell else geo.ring_with_extra_points(corners, shared)
            self.area(kaiyuan, data.KAIYUAN + suffix, name, "community", geo.polygon(ring))
        for street, code, name in data.OTHER_COMMUNITIES:
            self.area(self.areas[street], code, name, "community")

        community = self.areas[data.GRID_COMMUNITY]
        number = 0
        for j in reversed(range(data.GRID_ROWS)):  # numbered from the north-west, row by row
            for i in range(data.GRID_COLUMNS):
                number += 1
                ring = list(geo.cell_corners(grids, i, j))
                code = f"{data.GRID_COMMUNITY}{number:03d}"
                self.area(community, code, data.grid_name(number), "grid", geo.polygon(ring))

    # -- organizations ----------------------------------------------------------
    def organization(self, spec, parent):
        org = Organization.objects.filter(name=spec["name"], kind=spec["kind"]).first()
        if org is None:
            org = check_create_organization(
                self.actor,
                parent=parent,
                name=spec["name"],
                kind=spec["kind"],
                area=self.areas[spec["area"]],
                new_sectors=spec["new_sectors"],
            )
            self.result.created["organizations"] += 1
        self.orgs[spec["name"]] = org
        for child in spec["children"]:
            self.organization(child, org)

    def organizations(self):
        for tree in data.ORGANIZATION_TREES:
            self.organization(tree, None)
        for unit, kind, area_code, station in data.PAIRINGS:
            unit = self.orgs[unit]
            area = self.areas[area_code] if area_code else None
            station = self.orgs[station] if station else None
            if not Pairing.objects.filter(unit=unit, area=area, station=station).exists():
                check_create_pairing(self.actor, unit, kind, area=area, station=station)
                self.result.created["pairings"] += 1

    # -- people -----------------------------------------------------------------
    def user(self, phone, name, password=None, superuser=False):
        user = User.objects.filter(phone=phone).first()
        if user is None:
            create = User.objects.create_superuser if superuser else User.objects.create_user
            user = create(phone=phone, password=password, name=name)
            self.result.created["users"] += 1
        return user

    def superuser(self):
        phone, name = data.SUPERUSER_PHONE, dict((a[0], a[1]) for a in data.ACCOUNTS)[data.SUPERUSER_PHONE]
        self.actor = self.user(phone, name, data.DEMO_PASSWORD, superuser=True)

    def people(self):
        for phone, name, role, node_kind, node, tier in data.ACCOUNTS:
            resident = role == "resident"
            user = self.user(phone, name, None if resident else data.DEMO_PASSWORD, superuser=phone == data.SUPERUSER_PHONE)
            area = self.areas[node] if node_kind == "area" else None
            organization = self.orgs[node] if node_kind == "org" else None
            if not RoleAssignment.objects.filter(user=user, role=role, area=area, organization=organization).exists():
                check_assign_role(self.actor, user, role, area=area, organization=organization, tier=tier)
                self.result.created["roles"] += 1
            target = area.full_name() if area else organization.name
            label = f"{role} ({tier})" if tier else role
            self.result.accounts.append((phone, data.ONE_TIME_CODE if resident else data.DEMO_PASSWORD, label, target))
        for phone, name in data.OFFICE_HOLDERS:
            self.user(phone, name)
        for phone, org_name, role in data.MEMBERSHIPS:
            user, organization = User.objects.get(phone=phone), self.orgs[org_name]
            if not Membership.objects.filter(user=user, organization=organization, role=role).exists():
                check_add_membership(self.actor, user, organization, role)
                self.result.created["memberships"] += 1


def load_demo() -> DemoResult:
    """Create whatever part of the demo is missing; returns what was created and the account table."""
    loader = Loader()
    try:
        with transaction.atomic():
            loader.superuser()
            loader.places()
            loader.organizations()
            loader.people()
            for load in demo_loaders():  # each app's part, registered in its AppConfig.ready
                load(loader)
    finally:
        for done in loader.when_done:
            done()
    return loader.result
