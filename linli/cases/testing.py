"""pytest fixtures for cases (registered in the root conftest.py), built on linli.core.testing.

    categories      a small category tree with time limits (see `Categories`)
    routing_rules   street A: 部件 (components) → 市政园林局 (personas.department)
    federations_handle_facilities   those, and street B: 公用设施 → a women's federation
    report          report(actor=None, category=None, grid=None, **fields) → Case, through check_report
    case_at         case_at(status, publish=False, **report_fields) → a case driven to `status`
                    through the actions (`publish`: on the claim board from acceptance on)
    photo_file      photo_file(name="p.jpg", size=(64, 48), gps=None) → an uploaded JPEG

Who does what in `case_at`: the resident reports (in 第一网格 of street A), the street A
dispatcher accepts/dispatches/closes, the department handler signs/returns/resolves, the
grid worker verifies.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from .actions import do_set_routing_rule
from .choices import CaseStatus, CategoryKind, Priority
from .models import Category


@dataclass
class Categories:
    component: Category  # 部件: accept 4 h, resolve 5 d
    public_facilities: Category  # 公用设施 (inherits)
    manhole: Category  # 井盖: resolve 2 d, urgent
    greenery: Category  # 园林绿化 (inherits)
    event: Category  # 事件: accept 2 h, resolve 3 d
    street_order: Category  # 街面秩序 (inherits)
    dispute: Category  # 邻里纠纷: accept 8 h, resolve 10 d, low
    retired: Category  # inactive


def make_category(parent, name, code, kind=None, **limits):
    fields = {"name": name, "code": code, "kind": kind or parent.kind, **limits}
    if parent is None:
        return Category.objects.add_root(create_kwargs=fields)
    return Category.objects.add_child(parent, create_kwargs=fields)


@pytest.fixture
def categories(db):
    component = make_category(None, "部件", "component", CategoryKind.COMPONENT, accept_hours=4, resolve_days=5)
    public_facilities = make_category(component, "公用设施", "public-facilities")
    manhole = make_category(public_facilities, "井盖", "manhole", resolve_days=2, default_priority=Priority.URGENT)
    greenery = make_category(component, "园林绿化", "greenery")
    event = make_category(None, "事件", "event", CategoryKind.EVENT, accept_hours=2, resolve_days=3)
    street_order = make_category(event, "街面秩序", "street-order")
    dispute = make_category(event, "邻里纠纷", "dispute", accept_hours=8, resolve_days=10, default_priority=Priority.LOW)
    retired = make_category(event, "旧分类", "retired", is_active=False)
    return Categories(component, public_facilities, manhole, greenery, event, street_order, dispute, retired)


@pytest.fixture
def routing_rules(tree, personas, categories):
    return [do_set_routing_rule(area=tree.street_a, category=categories.component, unit=personas.department)]


@pytest.fixture
def federations_handle_facilities(tree, categories, routing_rules):
    """Routing rules that name a department for components (street A) and a women's federation
    for public facilities (street B): units of both kinds handle public facilities, so both the
    department and the federation of street A may claim such cases from a board."""
    from linli.orgs.actions import do_create_organization

    federation_b = do_create_organization(parent=None, name="中华街道妇联", kind="womens_federation", area=tree.street_b)
    return [*routing_rules,
            do_set_routing_rule(area=tree.street_b, category=categories.public_facilities, unit=federation_b)]


def center_of(grid):
    """(lat, lng) of the middle of a grid polygon (the squares of linli.core.testing)."""
    ring = grid.boundary["coordinates"][0]
    lngs, lats = [p[0] for p in ring[:-1]], [p[1] for p in ring[:-1]]
    return (min(lats) + max(lats)) / 2, (min(lngs) + max(lngs)) / 2


def _dms(value):
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
    return (float(degrees), float(minutes), seconds)


def jpeg_bytes(size=(64, 48), color=(200, 80, 40), gps=None):
    """A small JPEG; `gps` = (lat, lng) writes an EXIF GPS position (north-east)."""
    from PIL import ExifTags, Image

    buffer = io.BytesIO()
    extra = {}
    if gps:
        exif = Image.Exif()
        ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        ifd[ExifTags.GPS.GPSLatitudeRef], ifd[ExifTags.GPS.GPSLatitude] = "N", _dms(gps[0])
        ifd[ExifTags.GPS.GPSLongitudeRef], ifd[ExifTags.GPS.GPSLongitude] = "E", _dms(gps[1])
        extra["exif"] = exif
    Image.new("RGB", size, color).save(buffer, "JPEG", **extra)
    return buffer.getvalue()


@pytest.fixture
def photo_file():
    def make(name="photo.jpg", size=(64, 48), gps=None):
        return SimpleUploadedFile(name, jpeg_bytes(size, gps=gps), content_type="image/jpeg")

    return make


@pytest.fixture
def report(tree, personas, categories):
    from .actions import check_report

    def make(actor=None, category="public-facilities", grid=None, **fields):
        if "lat" not in fields and "lng" not in fields:
            fields["lat"], fields["lng"] = center_of(grid or tree.grid_a1)
        fields.setdefault("description", "井盖松动，有安全隐患")
        fields.setdefault("channel", "snapshot")
        return check_report(actor or personas.resident, category=category, **fields)

    return make


# The road from "reported" to each status: (status before, action, who, params).
ROAD = {
    CaseStatus.ACCEPTED: (CaseStatus.REPORTED, "accept", "street_dispatcher", {}),
    CaseStatus.REJECTED: (CaseStatus.REPORTED, "reject", "street_dispatcher", {"reason": "重复上报"}),
    CaseStatus.DISPATCHED: (CaseStatus.ACCEPTED, "dispatch", "street_dispatcher", {"unit": "department"}),
    CaseStatus.IN_PROGRESS: (CaseStatus.DISPATCHED, "sign", "department_handler", {}),
    CaseStatus.RETURNED: (CaseStatus.DISPATCHED, "return", "department_handler", {"reason": "不属于本单位职责"}),
    CaseStatus.RESOLVED: (CaseStatus.IN_PROGRESS, "resolve", "department_handler", {"photos": "photo", "note": "已更换"}),
    CaseStatus.VERIFIED: (CaseStatus.RESOLVED, "verify", "grid_worker", {}),
    CaseStatus.CLOSED: (CaseStatus.VERIFIED, "close", "street_dispatcher", {}),
}


@pytest.fixture
def case_at(report, personas, photo_file):
    from .actions import perform

    def drive(status, publish=False, **fields):
        """`publish`: put the case on its street's claim board right after acceptance."""
        status = CaseStatus(status)
        if status == CaseStatus.REPORTED:
            return report(**fields)
        before, action, who, params = ROAD[status]
        case = drive(before, publish=publish, **fields)
        params = dict(params)
        if params.get("unit") == "department":
            params["unit"] = personas.department
        if params.get("photos") == "photo":
            params["photos"] = [photo_file()]
        case = perform(getattr(personas, who), case, action, **params)
        if publish and status == CaseStatus.ACCEPTED:
            case = perform(personas.street_dispatcher, case, "publish")
        return case

    return drive
