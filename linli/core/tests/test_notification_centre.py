"""The notification centre: a resident told at each step of their case (in the app, and by SMS at
the steps that matter), the bell, the list, opening and marking read, the SMS setting, the API."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linli.accounts.sms import render
from linli.cases.actions import perform
from linli.core import outbox
from linli.core.models import Notification
from linli.core.notify import do_set_sms_enabled, notify

RESIDENT_STEPS = ["case.accept", "case.dispatch", "case.resolve", "case.close"]


@pytest.fixture
def walk(report, personas, photo_file, django_capture_on_commit_callbacks):
    """A resident's report walked from report to close, relaying the outbox after each step."""

    def step(action, who=None, case=None, **params):
        with django_capture_on_commit_callbacks(execute=True):
            case = perform(who, case, action, **params) if action else report()
            outbox.relay_pending()
        return case

    def run():
        case = step(None)
        case = step("accept", personas.street_dispatcher, case)
        case = step("dispatch", personas.street_dispatcher, case, unit=personas.department)
        case = step("sign", personas.department_handler, case)
        case = step("resolve", personas.department_handler, case, photos=[photo_file()], note="已更换井盖")
        case = step("verify", personas.grid_worker, case)
        return step("close", personas.street_dispatcher, case)

    return run


def resident_sms(sms_outbox, personas):
    return [(key, params) for phone, key, params in sms_outbox if phone == personas.resident.phone]


def test_a_case_walked_to_close_tells_the_resident_at_each_step(walk, personas, sms_outbox):
    case = walk()
    notes = list(Notification.objects.filter(user=personas.resident).order_by("id"))
    assert [n.topic for n in notes] == RESIDENT_STEPS  # one message per step, nothing twice
    assert all(case.number in n.title and n.url == f"/cases/{case.number}/" for n in notes)
    assert personas.department.name in notes[1].body
    number = {"number": case.number}
    assert resident_sms(sms_outbox, personas) == [
        ("case_accepted", number), ("case_resolved", number), ("case_closed", number)]
    assert render("case_closed", number) == f"您反映的问题（编号{case.number}）已办结，欢迎登录邻里评价办理情况。"
    # staff get their own texts (a new work order), not the resident's
    assert ("case_work_order", {"number": case.number, "category": case.category.name}) in [
        (key, params) for phone, key, params in sms_outbox if phone == personas.department_handler.phone]


def test_a_rejected_report_says_why(report, personas, sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = report()
        perform(personas.street_dispatcher, case, "reject", reason="重复上报")
        outbox.relay_pending()
    note = Notification.objects.get(user=personas.resident)
    assert note.topic == "case.reject" and "重复上报" in note.body
    assert resident_sms(sms_outbox, personas) == [("case_rejected", {"number": case.number, "reason": "重复上报"})]


def test_sms_off_still_in_the_app(walk, personas, sms_outbox):
    do_set_sms_enabled(personas.resident, False)
    walk()
    assert resident_sms(sms_outbox, personas) == []
    assert list(Notification.objects.filter(user=personas.resident).order_by("id").values_list(
        "topic", flat=True)) == RESIDENT_STEPS
    assert any(phone == personas.department_handler.phone for phone, *_ in sms_outbox)  # others unaffected


def test_a_staff_report_is_not_texted(report, personas, sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = report(actor=personas.grid_worker, channel="patrol")
        perform(personas.street_dispatcher, case, "accept")
        outbox.relay_pending()
    assert Notification.objects.filter(user=personas.grid_worker, topic="case.accept").exists()
    assert [m for m in sms_outbox if m[0] == personas.grid_worker.phone] == []


# -- pages ----------------------------------------------------------------------------------------


def bell_count(client):
    html = client.get("/notifications/").content.decode()
    marker = 'data-testid="unread-count">'
    return int(html.split(marker, 1)[1].split("<", 1)[0]) if marker in html else 0


def test_bell_open_marks_read_and_follows_the_link(client, personas):
    notify([personas.resident], "case.accept", "您反映的问题已受理", url="/cases/2026-000001/")
    notify([personas.resident], "points.redemption.redeemed", "可以领取了", url="/points/redemptions/#r1")
    client.force_login(personas.resident)
    assert bell_count(client) == 2
    home = client.get("/").content.decode()
    assert 'data-testid="notification-bell"' in home and 'data-testid="unread-count">2<' in home
    first = Notification.objects.get(title="您反映的问题已受理")
    response = client.get(f"/notifications/{first.pk}/")
    assert response.status_code == 302 and response["Location"] == "/cases/2026-000001/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert bell_count(client) == 1
    client.get(f"/notifications/{first.pk}/")  # opening again keeps the first time
    assert Notification.objects.get(pk=first.pk).read_at == first.read_at


def test_an_outside_link_is_not_followed(client, personas):
    (note,) = notify([personas.resident], "t", "钓鱼", url="https://evil.example.com/")
    client.force_login(personas.resident)
    assert client.get(f"/notifications/{note.pk}/")["Location"] == "/notifications/"


def test_nobody_opens_or_sees_another_persons_notification(client, personas):
    (note,) = notify([personas.resident], "t", "只给居民甲看的")
    client.force_login(personas.grid_worker)
    assert client.get(f"/notifications/{note.pk}/").status_code == 404
    assert client.get("/notifications/abc/").status_code == 404
    assert "只给居民甲看的" not in client.get("/notifications/").content.decode()
    response = client.post(f"/api/notifications/{note.pk}/read/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    client.post("/notifications/read-all/")
    assert Notification.objects.get(pk=note.pk).read_at is None


def test_mark_all_read_is_a_post(client, personas):
    notify([personas.resident], "t", "一")
    notify([personas.resident], "t", "二")
    client.force_login(personas.resident)
    assert client.get("/notifications/read-all/").status_code == 405
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(user=personas.resident, read_at__isnull=True).exists()
    assert bell_count(client) == 0


def test_the_list_newest_first_paginated_with_an_empty_state(client, personas):
    client.force_login(personas.resident)
    empty = client.get("/notifications/").content.decode()
    assert 'data-testid="notifications-empty"' in empty and 'data-testid="read-all"' not in empty
    for i in range(25):
        notify([personas.resident], "t", f"第{i:02d}条")
    page1 = client.get("/notifications/").content.decode()
    assert page1.index("第24条") < page1.index("第23条") and "第04条" not in page1
    assert page1.count('data-unread="1"') == 20
    page2 = client.get("/notifications/?page=2").content.decode()
    assert "第04条" in page2 and "第00条" in page2
    assert client.get("/notifications/?page=x").status_code == 200
    assert client.get("/notifications/?page=%00").status_code < 500
    assert client.get("/notifications/").status_code == 200
    client.logout()
    assert client.get("/notifications/").status_code == 302  # signed out: to the sign-in


def test_list_page_query_count(client, personas, django_assert_num_queries):
    client.force_login(personas.resident)
    for i in range(30):
        notify([personas.resident], "t", f"通知{i}")
    client.get("/notifications/")
    with CaptureQueriesContext(connection) as baseline:
        client.get("/notifications/")
    assert len(baseline) <= 8, [q["sql"] for q in baseline]  # session, user, count, page, bell (+ menu)
    for i in range(30):
        notify([personas.resident], "t", f"更多{i}")
    with django_assert_num_queries(len(baseline)):
        client.get("/notifications/?page=2")


def test_the_sms_setting_page(client, personas):
    client.force_login(personas.resident)
    assert 'href="/notifications/settings/"' in client.get("/notifications/").content.decode()
    page = client.get("/notifications/settings/").content.decode()
    assert 'data-testid="sms-enabled"' in page and "checked" in page
    assert client.post("/notifications/settings/", {}).status_code == 302  # unticked: off
    assert "checked" not in client.get("/notifications/settings/").content.decode().split('data-testid="sms-enabled"')[0][-300:]
    from linli.core.notify import sms_enabled

    assert sms_enabled(personas.resident) is False
    client.post("/notifications/settings/", {"sms_enabled": "on"})
    assert sms_enabled(personas.resident) is True


# -- API ------------------------------------------------------------------------------------------


def test_api_list_count_read_and_preferences(client, personas):
    for i in range(3):
        notify([personas.resident], "t", f"通知{i}", url=f"/cases/2026-00000{i}/")
    notify([personas.grid_worker], "t", "别人的")
    client.force_login(personas.resident)
    body = client.get("/api/notifications/").json()
    assert body["count"] == 3 and body["unread_count"] == 3
    assert [n["title"] for n in body["results"]] == ["通知2", "通知1", "通知0"]
    assert body["results"][0]["unread"] is True
    assert client.get("/api/notifications/unread-count/").json() == {"unread_count": 3}
    first = body["results"][0]["id"]
    read = client.post(f"/api/notifications/{first}/read/").json()
    assert read["unread"] is False and read["read_at"]
    assert client.get("/api/notifications/?unread=1").json()["count"] == 2
    assert client.post("/api/notifications/read-all/").json() == {"marked": 2}
    assert client.get("/api/notifications/unread-count/").json() == {"unread_count": 0}

    assert client.get("/api/notifications/preferences/").json() == {"sms_enabled": True}
    response = client.patch("/api/notifications/preferences/", {"sms_enabled": False}, content_type="application/json")
    assert response.json() == {"sms_enabled": False}
    bad = client.patch("/api/notifications/preferences/", {"sms_enabled": "perhaps"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid" and "sms_enabled" in bad.json()["fields"]
    assert client.get("/api/notifications/?page=99").status_code == 400
    for path in ("/api/notifications/x/read/", "/api/notifications/0/read/", "/api/notifications/99999999999999999999/read/"):
        response = client.post(path)
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_api_needs_a_signed_in_person(client):
    response = client.get("/api/notifications/unread-count/")
    assert response.status_code in (401, 403) and "code" in response.json()
