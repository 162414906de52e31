"""Helpers of the Open311 tests: schema validation of every JSON answer, XML parsing, posting.

Points: A1 inside 开元街道 / 坑内社区 / 第一网格, B1 inside 中华街道 / 文安社区 / 第一网格.
"""

import json
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

from django.test import Client
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SCHEMAS = Path(__file__).parent / "schemas"
V2 = "/open311/v2/"
A1 = {"lat": "24.471", "long": "118.101"}
B1 = {"lat": "24.456", "long": "118.081"}
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'


@cache
def _registry():
    resources = []
    for path in SCHEMAS.glob("*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        resources.append((document["$id"], Resource.from_contents(document)))
    return Registry().with_resources(resources)


def validate(schema_name, body):
    """Raise jsonschema.ValidationError unless `body` fits schemas/<schema_name>.json."""
    document = json.loads((SCHEMAS / f"{schema_name}.json").read_text(encoding="utf-8"))
    Draft202012Validator(document, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER).validate(
        body)
    return body


def json_of(response, status, schema_name):
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return validate(schema_name, json.loads(response.content.decode("utf-8")))


def xml_of(response, status, root_tag):
    """The parsed XML root, after checking status, content type, declaration and root element."""
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(XML_DECLARATION)
    root = ET.fromstring(response.content)
    assert root.tag == root_tag
    return root


def xml_errors(response, status):
    root = xml_of(response, status, "errors")
    errors = root.findall("error")
    assert errors and all(e.findtext("code") == str(status) and e.findtext("description") for e in errors)
    assert [child.tag for child in errors[0]] == ["code", "description"]
    return [e.findtext("description") for e in errors]


def errors_of(response, status):
    body = json_of(response, status, "errors")
    assert all(error["code"] == status for error in body)
    return body


def client():
    return Client(HTTP_HOST="testserver")


def post(data, fmt="json", files=None, **extra):
    body = {**data, **(files or {})}
    if files:
        return client().post(f"{V2}requests.{fmt}", body, **extra)  # multipart
    from urllib.parse import urlencode

    return client().post(f"{V2}requests.{fmt}", urlencode(body, doseq=True),
                         content_type="application/x-www-form-urlencoded", **extra)


def get(path, **params):
    return client().get(f"{V2}{path}", params)
