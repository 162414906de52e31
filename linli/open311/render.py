"""GeoReport v2 representations and their JSON / XML encodings.

The same Python structure (lists and dicts) is written as JSON, or as XML in the spec's
element names: a list under a key becomes repeated child elements named by ITEM_TAGS
(`<service_requests><request>…`), None an empty element, booleans `true` / `false`.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

from linli.cases.choices import FINISHED_STATUSES

from .choices import FORMATS

# Collections: the root or list key → the element name of one item.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def iso(moment):
    """ISO 8601 with the offset of the deployment's time zone (e.g. 2026-11-23T21:40:00+08:00)."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _text(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element, value):
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, (list, tuple)):
        tag = ITEM_TAGS.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, tag), item)
    else:
        element.text = _text(value)


def to_xml(root_tag, body) -> bytes:
    root = ET.Element(root_tag)
    _fill(root, body)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)


def respond(fmt, root_tag, body, status=200, headers=None):
    """`body` as JSON (as is) or as XML under `root_tag`."""
    if fmt == "xml":
        content = to_xml(root_tag, body)
    else:
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    response = HttpResponse(content, status=status, content_type=f"{FORMATS.get(fmt, FORMATS['json'])}; charset=utf-8")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(fmt, error):
    return respond(fmt, "errors", error.as_list(), status=error.status, headers=error.headers)


# -- representations -------------------------------------------------------------------------------


def service_body(found, with_attributes: set[int]):
    category = found.category
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.name if not found.keywords else f"{found.keywords} · {category.name}",
        "metadata": category.pk in with_attributes,
        "type": "realtime",
        "keywords": found.keywords,
        "group": found.group,
    }


def attribute_body(attribute):
    return {
        "variable": attribute.variable,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": attribute.required,
        "datatype_description": attribute.datatype_description or None,
        "order": attribute.order,
        "description": attribute.description,
        "values": [{"key": str(value["key"]), "name": str(value["name"])} for value in attribute.values or ()],
    }


def definition_body(category, attributes):
    return {"service_code": category.code, "attributes": [attribute_body(attribute) for attribute in attributes]}


def status_of(case) -> str:
    return "closed" if case.status in FINISHED_STATUSES else "open"


def _row_of(case):
    try:
        return case.open311_request
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist: a case from another channel
        return None


def request_body(case, request):
    """One case as a GeoReport v2 request: no reporter data of any kind."""
    row = _row_of(case)
    photos = getattr(case, "ordered_photos", None)
    if photos is None:
        photos = list(case.photos.order_by("id")[:1])
    media_url = request.build_absolute_uri(photos[0].image.url) if photos else (row.media_url if row else "") or None
    return {
        "service_request_id": case.number,
        "status": status_of(case),
        "status_notes": str(case.get_status_display()),
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": case.description,
        "agency_responsible": case.unit.name if case.unit_id else None,
        "service_notice": (row.service_notice or None) if row else None,
        "requested_datetime": iso(case.created_at),
        "updated_datetime": iso(case.updated_at),
        "expected_datetime": iso(case.resolve_due or case.accept_due),
        "address": case.address or None,
        "address_id": case.area_code or None,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lng,
        "media_url": media_url,
    }


def submitted_body(row):
    """The answer to a POST: the case number, or the token of a held request."""
    if row.case_id:
        item = {"service_request_id": row.case.number}
    else:
        item = {"token": row.token}
    item["service_notice"] = row.service_notice or None
    item["account_id"] = row.account_id or None
    return [item]


def token_body(row):
    return [{"service_request_id": row.case.number if row.case_id else None, "token": row.token}]
