"""Discovery, the service list and service definitions, in JSON and XML; errors on bad paths."""

import pytest

from linli.open311 import actions
from linli.open311.models import Jurisdiction

from .support import V2, client, errors_of, get, json_of, xml_errors, xml_of


def test_discovery_lists_this_endpoint_in_both_formats(db):
    body = json_of(get("discovery.json"), 200, "discovery")
    endpoint = body["endpoints"][0]
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}

    root = xml_of(get("discovery.xml"), 200, "discovery")
    assert [child.tag for child in root] == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("url") == "http://testserver/open311/v2"
    assert [f.text for f in endpoint.findall("formats/format")] == ["application/json", "text/xml"]


def test_services_are_the_active_leaf_categories_with_their_group(questions, categories):
    body = json_of(get("services.json"), 200, "services")
    by_code = {service["service_code"]: service for service in body}
    # 部件/事件 and 公用设施 have subcategories; 旧分类 is inactive.
    assert set(by_code) == {"manhole", "greenery", "street-order", "dispute"}
    assert by_code["manhole"]["group"] == "公用设施" and by_code["manhole"]["metadata"] is True
    assert by_code["greenery"]["group"] == "部件" and by_code["greenery"]["metadata"] is False
    assert all(service["type"] == "realtime" for service in body)

    root = xml_of(get("services.xml"), 200, "services")
    services = root.findall("service")
    assert len(services) == 4
    manhole = next(s for s in services if s.findtext("service_code") == "manhole")
    assert [child.tag for child in manhole] == [
        "service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
    assert manhole.findtext("service_name") == "井盖" and manhole.findtext("metadata") == "true"


def test_a_category_whose_subcategories_are_all_inactive_is_a_service(categories):
    # 事件 has 街面秩序, 邻里纠纷 (active) and 旧分类 (inactive): the inactive child does not count.
    codes = {s["service_code"] for s in json_of(get("services.json"), 200, "services")}
    assert "event" not in codes and "retired" not in codes


def test_service_definition_in_json_and_xml(questions):
    body = json_of(get("services/manhole.json"), 200, "service_definition")
    assert body["service_code"] == "manhole"
    attributes = {a["code"]: a for a in body["attributes"]}
    assert [a["code"] for a in body["attributes"]] == [
        "cover_state", "hazards", "depth_cm", "seen_at", "plate", "details", "notice"]
    assert attributes["cover_state"]["required"] is True
    assert attributes["cover_state"]["values"] == [
        {"key": "missing", "name": "缺失"}, {"key": "loose", "name": "松动"}, {"key": "broken", "name": "破损"}]
    assert attributes["depth_cm"]["datatype"] == "number"
    assert attributes["depth_cm"]["datatype_description"] == "整数或小数"
    assert attributes["notice"]["variable"] is False
    assert {a["datatype"] for a in body["attributes"]} == {
        "singlevaluelist", "multivaluelist", "number", "datetime", "string", "text"}

    root = xml_of(get("services/manhole.xml"), 200, "service_definition")
    assert root.findtext("service_code") == "manhole"
    first = root.find("attributes/attribute")
    assert [child.tag for child in first] == [
        "variable", "code", "datatype", "required", "datatype_description", "order", "description", "values"]
    assert first.findtext("variable") == "true" and first.findtext("order") == "1"
    assert [(v.findtext("key"), v.findtext("name")) for v in first.findall("values/value")] == [
        ("missing", "缺失"), ("loose", "松动"), ("broken", "破损")]


@pytest.mark.parametrize("code", ["nope", "component", "retired"])
def test_unknown_or_non_leaf_service_code_is_404(categories, code):
    errors_of(get(f"services/{code}.json"), 404)
    xml_errors(get(f"services/{code}.xml"), 404)


@pytest.mark.parametrize("path", ["nothing.json", "services/a/b.json", "tokens.json", "discovery/x.json",
                                  "requests/../../etc.json", "", "x" * 300 + ".xml"])
def test_unknown_paths_are_404_error_lists(db, path):
    response = client().get(f"{V2}{path}")
    if path.endswith(".xml"):
        xml_errors(response, 404)
    else:
        errors_of(response, 404)


@pytest.mark.parametrize("path", ["services.csv", "services", "requests.html", "discovery.JSONX"])
def test_a_bad_format_is_400(categories, path):
    errors_of(client().get(f"{V2}{path}"), 400)


def test_a_method_the_resource_does_not_have_is_405_with_allow(categories):
    response = client().post(f"{V2}services.json")
    errors_of(response, 405)
    assert response["Allow"] == "GET"
    xml_errors(client().delete(f"{V2}requests.xml"), 405)


def test_service_list_checks_the_jurisdiction(tree, categories):
    actions.check_save_jurisdiction(Jurisdiction(jurisdiction_id="xiamen", name="厦门市", area=tree.city))
    json_of(get("services.json"), 200, "services")  # one jurisdiction: the id is optional
    json_of(get("services.json", jurisdiction_id="xiamen"), 200, "services")
    errors_of(get("services.json", jurisdiction_id="fuzhou"), 404)
    xml_errors(get("services.xml", jurisdiction_id="fuzhou"), 404)
    actions.check_save_jurisdiction(Jurisdiction(jurisdiction_id="siming", name="思明区", area=tree.district))
    errors_of(get("services.json"), 400)  # several: say which


def test_get_with_a_bad_key_is_403_and_without_one_is_fine(categories):
    json_of(get("services.json"), 200, "services")
    errors_of(get("services.json", api_key="nope"), 403)
