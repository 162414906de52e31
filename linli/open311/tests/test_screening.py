"""Keys that hold for screening: token → a dispatcher in scope releases (check_report) or rejects."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client

from linli.cases.models import Case
from linli.cases.testing import jpeg_bytes
from linli.open311 import actions
from linli.open311.errors import Open311Error
from linli.open311.models import ServiceRequest

from .support import errors_of, get, json_of, post, xml_errors, xml_of


@pytest.fixture
def held(form, held_key):
    def make(media=None, **overrides):
        files = {"media": media} if media else None
        body = json_of(post(form(api_key=held_key[1], **overrides), files=files), 202, "post_response")[0]
        assert "service_request_id" not in body and body["service_notice"]
        return ServiceRequest.objects.get(token=body["token"])

    return make


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_held_request_token_then_release_answers_the_case_number(held, personas):
    row = held()
    assert row.state == "held" and row.area.code == "350203001001001" and Case.objects.count() == 0
    assert json_of(get(f"tokens/{row.token}.json"), 200, "token") == [{"service_request_id": None, "token": row.token}]
    root = xml_of(get(f"tokens/{row.token}.xml"), 200, "service_requests")
    assert [child.tag for child in root.find("request")] == ["service_request_id", "token"]
    assert root.find("request/service_request_id").text is None

    page = signed_in(personas.street_dispatcher).get("/open311/screening/")
    assert page.status_code == 200 and row.token in page.content.decode()
    assert "139****5678" in page.content.decode() and "13912345678" not in page.content.decode()
    response = signed_in(personas.street_dispatcher).post(f"/open311/screening/{row.pk}/release/")
    assert response.status_code == 302

    row.refresh_from_db()
    assert row.state == "filed" and row.decided_by == personas.street_dispatcher
    case = row.case
    assert case.channel == "open311" and case.reporter is None and case.reporter_name == "王小明"
    assert json_of(get(f"tokens/{row.token}.json"), 200, "token") == [
        {"service_request_id": case.number, "token": row.token}]
    assert json_of(get(f"requests/{case.number}.json"), 200, "request")[0]["service_request_id"] == case.number


def test_held_post_answers_a_token_in_xml(form, held_key):
    root = xml_of(post(form(api_key=held_key[1]), fmt="xml"), 202, "service_requests")
    assert [child.tag for child in root.find("request")] == ["token", "service_notice", "account_id"]


def test_only_dispatchers_over_the_area_may_screen(held, personas):
    row = held()
    for outsider in (personas.other_street_dispatcher, personas.department_handler, personas.resident,
                     personas.grid_worker, personas.outsider):
        with pytest.raises(Http404):
            actions.check_release(outsider, row)
        with pytest.raises(Http404):
            actions.check_reject(outsider, row, "不是我们的")
        assert signed_in(outsider).post(f"/open311/screening/{row.pk}/release/").status_code == 404
        assert row.token not in signed_in(outsider).get("/open311/screening/").content.decode()
    row.refresh_from_db()
    assert row.state == "held" and Case.objects.count() == 0
    # community staff of 坑内社区 are dispatchers there
    assert actions.check_release(personas.community_staff, row).state == "filed"


def test_reject_needs_a_reason_and_leaves_the_token_without_id(held, personas):
    row = held()
    with pytest.raises(Open311Error):
        actions.check_reject(personas.street_dispatcher, row, "  ")
    response = signed_in(personas.street_dispatcher).post(f"/open311/screening/{row.pk}/reject/", {"reason": "重复"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.state == "rejected" and row.reject_reason == "重复" and Case.objects.count() == 0
    assert json_of(get(f"tokens/{row.token}.json"), 200, "token")[0]["service_request_id"] is None
    with pytest.raises(Open311Error) as raised:
        actions.check_release(personas.street_dispatcher, row)  # screened already
    assert raised.value.status == 409


def test_release_twice_files_one_case(held, personas):
    row = held()
    actions.check_release(personas.street_dispatcher, row)
    with pytest.raises(Open311Error):
        actions.check_release(personas.street_dispatcher, row)
    assert Case.objects.count() == 1


def test_a_photo_waits_with_the_held_request_and_goes_with_the_case(held, personas):
    photo = SimpleUploadedFile("p.jpg", jpeg_bytes(size=(640, 480)), content_type="image/jpeg")
    row = held(media=photo)
    assert len(row.held_media) == 1
    row = actions.check_release(personas.street_dispatcher, row)
    assert row.case.photos.count() == 1 and row.held_media == []


def test_a_bad_photo_is_refused_at_once(form, held_key):
    junk = SimpleUploadedFile("p.jpg", b"not a photo" * 50, content_type="image/jpeg")
    errors_of(post(form(api_key=held_key[1]), files={"media": junk}), 400)
    assert ServiceRequest.objects.count() == 0


def test_address_only_held_request_is_screened_by_the_matched_area(held, personas, tree):
    row = held(lat=None, long=None, address_string="中华街道文安社区")
    assert row.area == tree.community_b
    with pytest.raises(Http404):
        actions.check_release(personas.street_dispatcher, row)
    case = actions.check_release(personas.other_street_dispatcher, row).case
    assert case.area == tree.community_b and case.unlocated


def test_unknown_token_is_404(db):
    errors_of(get("tokens/0123456789abcdef.json"), 404)
    xml_errors(get("tokens/0123456789abcdef.xml"), 404)
