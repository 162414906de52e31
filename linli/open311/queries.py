"""Reads of the Open311 interface. No writes.

services() -> list[Service]              active leaf categories (the spec's services), by path
service(code) -> Category | None         one of them
attributes_of(category) -> list[ServiceAttribute]
codes_with_attributes() -> set[int]      category ids that have attributes (metadata=true)
jurisdiction_for(jurisdiction_id) -> Jurisdiction | None   (raises Open311Error 404/400)
public_requests(jurisdiction) -> QuerySet[Case]   public cases in the jurisdiction, with what a
                                         response needs in a fixed number of queries
held_for(user) -> QuerySet[ServiceRequest]   held requests in the user's dispatch scope
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from linli.cases.models import CasePhoto, Category
from linli.cases.queries import public_cases
from linli.core.scoping import scope_for

from .choices import RequestState
from .errors import Open311Error
from .models import Jurisdiction, ServiceAttribute, ServiceRequest


@dataclass(frozen=True)
class Service:
    category: Category
    group: str  # the parent category's name
    keywords: str  # the names above it, comma separated


def services() -> list[Service]:
    """Active categories with no active subcategory, under active ancestors only. One query."""
    rows = list(Category.objects.order_by("path"))
    by_path = {row.path: row for row in rows}
    active_paths = set()
    for row in rows:  # parents come before children in path order
        parent_path = row.path[: -Category.steplen]
        if row.is_active and (row.depth == 1 or parent_path in active_paths):
            active_paths.add(row.path)
    has_active_child = {path[: -Category.steplen] for path in active_paths if len(path) > Category.steplen}
    found = []
    for row in rows:
        if row.path in active_paths and row.path not in has_active_child:
            ancestors = [by_path[row.path[:end]] for end in range(Category.steplen, len(row.path), Category.steplen)]
            found.append(Service(
                category=row,
                group=ancestors[-1].name if ancestors else "",
                keywords=", ".join(ancestor.name for ancestor in ancestors),
            ))
    return found


def service(code) -> Category | None:
    if not code:
        return None
    return next((found.category for found in services() if found.category.code == code), None)


def attributes_of(category) -> list[ServiceAttribute]:
    return list(ServiceAttribute.objects.filter(category=category).order_by("order", "id"))


def categories_with_attributes() -> set[int]:
    return set(ServiceAttribute.objects.values_list("category_id", flat=True).distinct())


def jurisdiction_for(jurisdiction_id) -> Jurisdiction | None:
    """The jurisdiction named, or the only one when none is named; None when the deployment
    has none (it then answers for all its areas). Unknown: 404; several and none named: 400."""
    jurisdiction_id = str(jurisdiction_id or "").strip()
    if jurisdiction_id:
        found = Jurisdiction.objects.select_related("area").filter(jurisdiction_id=jurisdiction_id).first()
        if found is None:
            raise Open311Error(404, _("No jurisdiction with this jurisdiction_id."))
        return found
    found = list(Jurisdiction.objects.select_related("area")[:2])
    if len(found) > 1:
        raise Open311Error(400, _("This server serves several jurisdictions: give jurisdiction_id."))
    return found[0] if found else None


def public_requests(jurisdiction):
    """Public cases of the jurisdiction with their category, unit, Open311 row and first photo."""
    cases = public_cases()
    if jurisdiction is not None:
        cases = cases.filter(area_code__startswith=jurisdiction.area.code)
    return cases.select_related("category", "unit", "open311_request").prefetch_related(
        Prefetch("photos", queryset=CasePhoto.objects.order_by("id"), to_attr="ordered_photos")
    )


def held_for(user):
    """Held requests the user may screen: dispatchers over the request's area."""
    scope = scope_for(user, "cases.dispatch")
    rows = ServiceRequest.objects.filter(state=RequestState.HELD)
    if scope.is_empty:
        return rows.none()
    return scope.filter(rows, area_path="area__path").select_related("category", "area", "api_key__organization")

