"""POST requests.{json,xml}: form-encoded and multipart, attribute validation, keys and limits."""

import uuid

import pytest

from linli.cases.models import Case
from linli.open311 import actions
from linli.open311.models import ServiceRequest
from linli.cases.testing import jpeg_bytes

from .support import errors_of, get, json_of, post, xml_errors, xml_of


def nothing_written():
    return Case.objects.count() == 0 and ServiceRequest.objects.count() == 0


def test_form_encoded_request_with_multi_value_attributes_files_a_case(form, personas):
    body = json_of(post(form()), 201, "post_response")
    number = body[0]["service_request_id"]
    assert body[0]["account_id"] == "acct-7"

    case = Case.objects.get(number=number)
    assert case.channel == "open311" and case.category.code == "manhole"
    assert case.area.code == "350203001001001" and not case.unlocated
    assert case.reporter is None and case.reporter_name == "王小明" and case.reporter_phone == "13912345678"
    row = ServiceRequest.objects.get(case=case)
    assert row.state == "filed" and row.api_key.organization == personas.department
    assert row.answers == {"cover_state": "loose", "hazards": ["traffic", "night"], "depth_cm": 80}
    assert (row.email, row.device_id, row.account_id) == ("wang@example.org", "device-42", "acct-7")
    assert [event.action for event in case.events.all()] == ["report"]


def test_one_value_of_a_multi_value_list_and_all_datatypes(form):
    data = form(**{"attribute[hazards][]": None, "attribute[hazards]": "school",
                   "attribute[seen_at]": "2026-11-20T08:30:00+08:00", "attribute[plate]": "SM-0042",
                   "attribute[details]": "下雨天更危险", "attribute[depth_cm]": "35.5"})
    number = json_of(post(data), 201, "post_response")[0]["service_request_id"]
    row = ServiceRequest.objects.get(case__number=number)
    assert row.answers["hazards"] == ["school"] and row.answers["depth_cm"] == 35.5
    assert row.answers["seen_at"] == "2026-11-20T08:30:00+08:00" and row.answers["plate"] == "SM-0042"


def test_xml_post_answers_service_requests(form):
    root = xml_of(post(form(), fmt="xml"), 201, "service_requests")
    request = root.find("request")
    assert [child.tag for child in request] == ["service_request_id", "service_notice", "account_id"]
    assert Case.objects.filter(number=request.findtext("service_request_id")).exists()


def test_multipart_with_a_photo_and_its_media_url(form, settings):
    photo = ("photo.jpg", jpeg_bytes(size=(640, 480)), "image/jpeg")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = post(form(), files={"media": SimpleUploadedFile(*photo)})
    number = json_of(response, 201, "post_response")[0]["service_request_id"]
    assert Case.objects.get(number=number).photos.count() == 1
    shown = json_of(get(f"requests/{number}.json"), 200, "request")[0]
    assert shown["media_url"].startswith("http://testserver/") and shown["media_url"].endswith(".jpg")


def test_media_url_is_shown_when_no_photo_was_uploaded(form):
    number = json_of(post(form(media_url="https://img.example.org/a.jpg")), 201, "post_response")[0][
        "service_request_id"]
    assert json_of(get(f"requests/{number}.json"), 200, "request")[0]["media_url"] == "https://img.example.org/a.jpg"


@pytest.mark.parametrize("overrides, words", [
    ({"attribute[cover_state]": None}, "cover_state"),  # required, missing
    ({"attribute[cover_state]": "  "}, "cover_state"),  # required, blank
    ({"attribute[depth_cm]": "deep"}, "井深"),  # not a number
    ({"attribute[depth_cm]": "nan"}, "井深"),
    ({"attribute[seen_at]": "yesterday"}, "发现时间"),  # not a datetime
    ({"attribute[cover_state]": "stolen"}, "stolen"),  # not a listed value
    ({"attribute[hazards][]": ["traffic", "fire"]}, "fire"),
    ({"attribute[cover_state][]": ["loose", "broken"]}, "井盖状态"),  # one answer only
    ({"attribute[colour]": "red"}, "colour"),  # not an attribute of the service
    ({"attribute[notice]": "x"}, "notice"),  # not answerable
    ({"attribute[plate]": "x" * 501}, "500"),
])
def test_attributes_are_checked_against_the_definition(form, overrides, words):
    errors = errors_of(post(form(**overrides)), 400)
    assert words in errors[0]["description"]
    assert nothing_written()


@pytest.mark.parametrize("overrides", [
    {"lat": None, "long": None},  # no location at all
    {"long": None},  # half a point
    {"lat": "91", "long": "118.1"},
    {"lat": "abc", "long": "118.1"},
    {"lat": None, "long": None, "address_string": "火星基地"},  # no such place
    {"lat": None, "long": None, "address_id": "999999"},
    {"phone": "12345"},
    {"email": "not-an-email"},
    {"media_url": "javascript:alert(1)"},
    {"description": "长" * 4001},
    {"first_name": "名" * 51},
    {"service_code": ""},
])
def test_bad_fields_are_400_and_nothing_is_written(form, overrides):
    errors_of(post(form(**overrides)), 400)
    xml_errors(post(form(**overrides), fmt="xml"), 400)
    assert nothing_written()


def test_nul_characters_are_dropped_not_a_server_error(form):
    number = json_of(post(form(description="a\x00b", **{"attribute[plate]": "\x00"})), 201, "post_response")[0][
        "service_request_id"]
    assert Case.objects.get(number=number).description == "ab"
    # NUL in a query parameter: refused before any view (linli.core.query_guard), in Open311's error list
    errors_of(get("requests.json", service_request_id="\x00", jurisdiction_id="\x00x"), 400)


def test_unknown_service_code_is_404(form):
    errors_of(post(form(service_code="teleport")), 404)
    xml_errors(post(form(service_code="teleport"), fmt="xml"), 404)
    assert nothing_written()


def test_a_long_description_is_kept_whole_and_the_case_gets_what_it_holds(form):
    text = "井" * 3000
    body = json_of(post(form(description=text)), 201, "post_response")[0]
    assert body["service_notice"]
    case = Case.objects.get(number=body["service_request_id"])
    assert len(case.description) == 2000 and case.description.endswith("…")
    assert case.open311_request.description == text


def test_without_a_description_the_service_names_the_case(form):
    number = json_of(post(form(description=None)), 201, "post_response")[0]["service_request_id"]
    assert Case.objects.get(number=number).description == "井盖"


def test_address_string_alone_finds_the_community(form, tree):
    data = form(lat=None, long=None, address_string="思明区开元街道坑内社区仙岳路12号")
    number = json_of(post(data), 201, "post_response")[0]["service_request_id"]
    case = Case.objects.get(number=number)
    assert case.area == tree.community_a and case.unlocated and case.lat is None
    assert case.address == "思明区开元街道坑内社区仙岳路12号" and case.queue_area == tree.street_a


def test_address_id_is_an_area_code(form, tree):
    number = json_of(post(form(lat=None, long=None, address_id=tree.grid_b1.code)), 201, "post_response")[0][
        "service_request_id"]
    case = Case.objects.get(number=number)
    assert case.area == tree.grid_b1 and case.address.endswith("第一网格")


@pytest.mark.parametrize("key", [None, "", "o311_wrong"])
def test_missing_or_bad_key_is_403(form, key):
    errors_of(post(form(api_key=key)), 403)
    xml_errors(post(form(api_key=key), fmt="xml"), 403)
    assert nothing_written()


def test_a_revoked_key_is_403(form, api_key):
    actions.do_revoke_api_key(api_key[0])
    errors_of(post(form()), 403)
    assert nothing_written()


def test_past_the_keys_rate_it_is_429_with_retry_after(form, api_key, personas, clock):
    key, raw = api_key
    actions.do_update_api_key(key, name=key.name, rate_per_minute=3, hold_for_screening=False)
    clock.now = clock.now.replace(second=10, microsecond=0)
    for _ in range(3):
        json_of(post(form(description="第一分钟")), 201, "post_response")
    response = post(form(description="太多了"))
    errors_of(response, 429)
    assert response["Retry-After"] == "50"
    xml_errors(post(form(), fmt="xml"), 429)
    assert Case.objects.count() == 3
    # Another organization's key has its own budget; the next minute this one has a new one.
    other, other_raw = actions.do_create_api_key(personas.federation, rate_per_minute=5)
    json_of(post(form(api_key=other_raw)), 201, "post_response")
    clock.advance(50)
    json_of(post(form()), 201, "post_response")
    # A GET with the key counts against it too.
    for _ in range(2):
        json_of(get("services.json", api_key=raw), 200, "services")
    errors_of(get("services.json", api_key=raw), 429)


def test_multi_jurisdiction_post_needs_the_id_and_stays_inside(form, tree):
    from linli.open311.models import Jurisdiction

    actions.check_save_jurisdiction(Jurisdiction(jurisdiction_id="kaiyuan", name="开元街道", area=tree.street_a))
    actions.check_save_jurisdiction(Jurisdiction(jurisdiction_id="zhonghua", name="中华街道", area=tree.street_b))
    errors_of(post(form()), 400)
    errors_of(post(form(jurisdiction_id="gulangyu")), 404)
    # A1 is in 开元街道, not 中华街道: refused, and nothing is left behind.
    errors_of(post(form(jurisdiction_id="zhonghua")), 400)
    errors_of(post(form(jurisdiction_id="zhonghua", lat=None, long=None, address_id=tree.grid_a1.code)), 400)
    assert nothing_written()
    json_of(post(form(jurisdiction_id="kaiyuan")), 201, "post_response")


def test_open311_posts_with_a_key_once(form):
    from linli.core.idempotency import REPLAYED

    same = uuid.uuid4().hex
    first, again = post(form(), HTTP_IDEMPOTENCY_KEY=same), post(form(), HTTP_IDEMPOTENCY_KEY=same)
    assert first.status_code == again.status_code == 201 and again.content == first.content
    assert again["Content-Type"] == first["Content-Type"] and again[REPLAYED] == "true"
    assert ServiceRequest.objects.count() == Case.objects.count() == 1
    assert post(form(description="另一处井盖"), HTTP_IDEMPOTENCY_KEY=same).status_code == 422
