"""Fulfilment by scanning (扫码核销): the pickup code as a QR code on the resident's redemptions, the
fulfil page's scanner and its result panel, and POST /api/points/redemptions/fulfil/ with its error
codes, each persona against the others' codes."""

import re

import pytest
from django.contrib.staticfiles import finders
from rest_framework.test import APIClient

from linli.accounts.choices import Role, StaffTier
from linli.core.testing import make_person
from linli.points.actions import balance_of, check_cancel, check_redeem
from linli.points.models import Redemption

from .conftest import give, make_reward

URL = "/api/points/redemptions/fulfil/"


def api(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def other_staff(tree):
    """Staff of 文安社区 (community B): the resident's community is not theirs."""
    return make_person("13900000031", "社区干部乙", Role.COMMUNITY_STAFF, tree.community_b, tier=StaffTier.HEAD)


@pytest.fixture
def redemption(personas, reward):
    give(personas.resident, 30, "e1")
    return check_redeem(personas.resident, reward.pk)


# -- API ------------------------------------------------------------------------------------------


def test_staff_fulfil_through_the_api_and_see_who_and_when(personas, redemption):
    response = api(personas.community_staff).post(URL, {"code": f" {redemption.code.lower()} "}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "fulfilled" and body["code"] == redemption.code
    assert body["reward"] == "1 小时免费家政服务" and body["fulfilled_at"]
    assert body["person"] == "居*甲 · 139****0001"  # masked: never the full phone number
    redemption.refresh_from_db()
    assert redemption.status == "fulfilled" and redemption.fulfilled_by == personas.community_staff


def test_a_used_code_says_when_it_was_used(personas, redemption):
    api(personas.community_staff).post(URL, {"code": redemption.code}, format="json")
    again = api(personas.community_staff).post(URL, {"code": redemption.code}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "already_fulfilled"
    assert str(Redemption.objects.get().fulfilled_at.year) in again.json()["message"]


def test_a_cancelled_redemption_cannot_be_handed_over(personas, redemption):
    check_cancel(personas.resident, redemption.pk)
    response = api(personas.community_staff).post(URL, {"code": redemption.code}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "cancelled"
    assert Redemption.objects.get().status == "cancelled" and balance_of(personas.resident) == 30


def test_another_communitys_code_answers_like_an_unknown_one(tree, personas, other_staff, redemption):
    unknown = api(other_staff).post(URL, {"code": "ZZZZZZZZ"}, format="json")
    theirs = api(other_staff).post(URL, {"code": redemption.code}, format="json")
    assert unknown.status_code == theirs.status_code == 404
    assert unknown.json() == theirs.json() and theirs.json()["code"] == "unknown_code"
    # while a code of their own community's reward works for them
    resident_b = make_person("13900000032", "居民乙", Role.RESIDENT, tree.community_b)
    give(resident_b, 10, "b1")
    own = check_redeem(resident_b, make_reward(tree.community_b, name="米一袋").pk)
    assert api(other_staff).post(URL, {"code": own.code}, format="json").status_code == 200
    assert Redemption.objects.get(pk=redemption.pk).status == "pending"


# who may hand over the resident's redemption of community A's reward
MAY_FULFIL = {
    "resident": False,  # even their own: the counter does it
    "grid_worker": False,
    "community_staff": True,
    "street_dispatcher": False,
    "other_street_dispatcher": False,
    "department_handler": False,
    "outsider": False,
    "org_admin": False,
}


@pytest.mark.parametrize("persona", sorted(MAY_FULFIL))
def test_who_may_fulfil(personas, redemption, persona):
    response = api(getattr(personas, persona)).post(URL, {"code": redemption.code}, format="json")
    if MAY_FULFIL[persona]:
        assert response.status_code == 200
    else:
        assert response.status_code == 404 and response.json()["code"] == "unknown_code"
    assert Redemption.objects.get().status == ("fulfilled" if MAY_FULFIL[persona] else "pending")


def test_signed_out_cannot_fulfil(redemption):
    assert api(None).post(URL, {"code": redemption.code}, format="json").status_code in (401, 403)
    assert Redemption.objects.get().status == "pending"


@pytest.mark.parametrize("body", [
    {}, {"code": ""}, {"code": None}, {"code": ["ABCD2345"]}, {"code": {"a": 1}}, {"code": "X" * 10_000},
    ["ABCD2345"], "ABCD2345",
])
def test_bad_bodies_are_json_errors(personas, body):
    response = api(personas.community_staff).post(URL, body, format="json")
    assert response.status_code == 400 and response.json()["code"] in ("invalid", "parse_error")


@pytest.mark.parametrize("code", [12345678, 2**70, True, "   ", "中文兑换码", "https://example.org/x"])
def test_odd_codes_get_json_answers(personas, code):
    response = api(personas.community_staff).post(URL, {"code": code}, format="json")
    assert response.status_code in (400, 404) and response.json()["code"] in ("invalid", "unknown_code")


def test_broken_json_is_a_json_error(personas):
    response = api(personas.community_staff).post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"


def test_the_older_path_still_works_and_the_schema_has_both(client, personas, redemption):
    assert api(personas.community_staff).post(
        "/api/points/fulfil/", {"code": redemption.code}, format="json").status_code == 200
    paths = client.get("/api/schema/?format=json").json()["paths"]
    assert paths["/api/points/fulfil/"]["post"]["deprecated"] is True
    assert "404" in paths[URL]["post"]["responses"]


# -- pages ----------------------------------------------------------------------------------------


def test_my_redemptions_show_the_pickup_code_as_a_qr_code(client, personas, reward, redemption):
    used = check_redeem(personas.resident, reward.pk)
    api(personas.community_staff).post(URL, {"code": used.code}, format="json")
    client.force_login(personas.resident)
    page = client.get("/points/redemptions/").content.decode()
    qr = re.search(r'data-testid="code-qr" data-code="(\w+)">(.*?)</div></div>', page, re.S)
    assert qr and qr.group(1) == redemption.code
    # A full QR code (version 1: 21 modules + 4 quiet modules each side), not a Micro QR, which
    # the browsers' decoders cannot read; it scales with the page (viewBox, no fixed size).
    assert '<svg viewBox="0 0 29 29"' in qr.group(2)
    assert f"{redemption.code[:4]} {redemption.code[4:]}" in page
    assert page.count('data-testid="code-qr"') == 1  # only the one still to pick up


def test_right_after_redeeming_the_qr_code_is_shown(client, personas, reward):
    give(personas.resident, 10, "e1")
    client.force_login(personas.resident)
    page = client.post(f"/points/shop/{reward.pk}/redeem/", follow=True)
    code = Redemption.objects.get().code
    assert page.redirect_chain[-1][0].endswith(f"#r{Redemption.objects.get().pk}")
    assert f'data-code="{code}"' in page.content.decode() and "<svg" in page.content.decode()


def test_my_redemptions_cost_the_same_queries_whatever_the_rows(client, personas, tree,
                                                                django_assert_num_queries):
    give(personas.resident, 1000, "e1")
    client.force_login(personas.resident)
    check_redeem(personas.resident, make_reward(tree.community_a).pk)
    client.get("/points/redemptions/")  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/points/redemptions/")
    for k in range(5):
        check_redeem(personas.resident, make_reward(tree.community_a, provider=personas.federation, name=f"r{k}").pk)
    with django_assert_num_queries(len(one)):
        client.get("/points/redemptions/")


def test_the_fulfil_page_offers_the_scanner_and_the_typed_code(client, personas):
    client.force_login(personas.community_staff)
    page = client.get("/points/fulfil/").content.decode()
    assert 'data-testid="scanner"' in page and 'data-testid="scan-start"' in page
    assert "js/points_scanner.js" in page and "jsqr/jsQR.js" in page
    assert 'data-testid="fulfil-form"' in page and "autofocus" in page
    assert finders.find("jsqr/jsQR.js") and finders.find("js/points_scanner.js")


def test_a_scanned_code_gets_the_result_panel_alone(client, personas, redemption):
    client.force_login(personas.community_staff)
    response = client.post("/points/fulfil/", {"code": redemption.code, "scanned": "1"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<div id="fulfil-panel"') and "<html" not in html
    assert 'data-testid="fulfilled"' in html and "1 小时免费家政服务" in html
    assert "居*甲 · 139****0001" in html and "13900000001" not in html and "居民甲" not in html
    assert 'data-testid="fulfilled-at"' in html and "autofocus" not in html
    assert Redemption.objects.get().status == "fulfilled"
    again = client.post("/points/fulfil/", {"code": redemption.code, "scanned": "1"}, HTTP_HX_REQUEST="true")
    assert 'data-testid="fulfil-error"' in again.content.decode() and "已" in again.content.decode()


def test_a_scanned_qr_that_is_not_a_pickup_code_says_so(client, personas, other_staff, redemption):
    client.force_login(personas.community_staff)
    for text in ("https://example.org/volunteering/scan/abc/" * 3, "ZZZZZZZZ"):
        response = client.post("/points/fulfil/", {"code": text, "scanned": "1"}, HTTP_HX_REQUEST="true")
        errors = re.findall(r'data-testid="fulfil-error">([^<]+)<', response.content.decode())
        assert errors == ["您管理的奖品中没有这个兑换码。"]
    # staff of another community get the same answer for a real code
    client.force_login(other_staff)
    response = client.post("/points/fulfil/", {"code": redemption.code}, HTTP_HX_REQUEST="true")
    assert re.findall(r'data-testid="fulfil-error">([^<]+)<', response.content.decode()) == errors
    assert Redemption.objects.get().status == "pending"


def test_the_fulfil_page_is_for_staff(client, personas, redemption):
    client.force_login(personas.resident)
    assert client.get("/points/fulfil/").status_code == 403
    assert client.post("/points/fulfil/", {"code": redemption.code}).status_code == 403
    assert Redemption.objects.get().status == "pending"
