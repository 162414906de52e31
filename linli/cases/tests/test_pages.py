"""The server-rendered case pages with the personas: intake, the dispatch desk, the case page
and its actions, the unit inbox, the grid worker's round, "my reports"."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.cases import actions
from linli.cases.models import Case, CaseFollower, CasePhoto
from linli.cases.testing import center_of
from linli.core.testing import scripts_of

pytestmark = pytest.mark.django_db

def html_of(response):
    return response.content.decode()


def login(client, user, language=None):
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def point(grid):
    lat, lng = center_of(grid)
    return {"lat": f"{lat:.6f}", "lng": f"{lng:.6f}"}


def report_data(categories, grid, **extra):
    return {"category": str(categories.public_facilities.pk), "description": "井盖松动，有安全隐患",
            **point(grid), **extra}


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


# -- intake ------------------------------------------------------------------------------------


def test_report_page_is_phone_first_with_camera_map_and_category_tree(client, personas, categories):
    html = html_of(login(client, personas.resident).get(reverse("cases:report")))
    assert 'capture="environment"' in html and 'accept="image/*"' in html and " multiple" in html
    assert 'data-max-photos="9"' in html
    assert 'id="report-map"' in html and "/static/leaflet/leaflet.js" in html
    assert '<optgroup label="部件">' in html and '<optgroup label="事件">' in html
    assert "\u3000井盖" in html  # a subclass, indented under 公用设施
    assert "旧分类" not in html  # inactive
    assert 'name="show_reporter_name"' in html and "checked" not in html.split('name="show_reporter_name"')[1][:80]
    assert reverse("cases:duplicates") in html
    assert "随手拍" in html


def test_anonymous_users_are_sent_to_log_in(client, categories):
    response = client.get(reverse("cases:report"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


@pytest.mark.parametrize(("url_name", "persona", "own_script"), [
    ("cases:report", "resident", "js/cases_report.js"),
    ("cases:patrol", "grid_worker", "js/cases_patrol.js"),
])
def test_map_pages_load_leaflet_and_htmx_all_deferred(client, personas, categories, url_name, persona, own_script):
    html = html_of(login(client, getattr(personas, persona)).get(reverse(url_name)))
    scripts = scripts_of(html)
    assert {"leaflet/leaflet.js", "htmx/htmx.min.js", "bootstrap/bootstrap.min.js", own_script} <= set(scripts)
    assert all(scripts.values()), scripts  # every script deferred: the form paints first
    assert list(scripts).index("leaflet/leaflet.js") < list(scripts).index("js/cases_report.js")


def test_resident_files_a_report_with_a_photo(client, personas, categories, tree, photo_file):
    login(client, personas.resident)
    data = report_data(categories, tree.grid_a1, photos=[photo_file("a.jpg"), photo_file("b.jpg")])
    response = client.post(reverse("cases:report"), data)
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[case.number])
    assert case.reporter == personas.resident and case.channel == "snapshot"
    assert case.area == tree.grid_a1 and not case.show_reporter_name
    assert case.photos.count() == 2

    page = html_of(client.get(response.url))
    assert case.number in page and "井盖松动" in page
    assert 'data-testid="progress"' in page
    assert page.count('class="ll-thumb"') == 2


def test_a_report_without_location_comes_back_with_everything_but_the_photos(client, personas, categories, photo_file):
    login(client, personas.resident, language="en")
    data = {"category": str(categories.public_facilities.pk), "description": "路灯不亮", "address": "坑内路12号",
            "photos": [photo_file()]}
    response = client.post(reverse("cases:report"), data)
    assert response.status_code == 400
    html = html_of(response)
    assert 'data-testid="form-errors"' in html and "Set the location" in html
    assert 'data-testid="photos-lost"' in html
    assert "路灯不亮" in html and 'value="坑内路12号"' in html
    assert f'<option value="{categories.public_facilities.pk}" selected>' in html
    assert not Case.objects.exists()


def test_the_server_check_of_a_photo_is_shown_on_the_photo_field(client, personas, categories, tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, personas.resident, language="en")
    fake = SimpleUploadedFile("fake.jpg", b"not really a photo\n" * 50, content_type="image/jpeg")
    response = client.post(reverse("cases:report"), report_data(categories, tree.grid_a1, photos=[fake]))
    assert response.status_code == 400
    html = html_of(response)
    assert 'id="photos_error"' in html
    assert "choose them again" in html
    assert not Case.objects.exists()


def test_a_report_needs_a_photo_and_at_most_nine(client, personas, categories, tree, photo_file):
    login(client, personas.resident, language="en")
    response = client.post(reverse("cases:report"), report_data(categories, tree.grid_a1))
    assert response.status_code == 400 and "Add at least one photo." in html_of(response)
    response = client.post(reverse("cases:report"),
                           report_data(categories, tree.grid_a1, photos=[photo_file(f"{i}.jpg") for i in range(10)]))
    assert response.status_code == 400 and "At most 9 photos." in html_of(response)
    assert not Case.objects.exists()


def test_duplicates_are_suggested_and_can_be_followed(client, personas, categories, tree, report):
    existing = report(actor=personas.grid_worker, channel="patrol")
    neighbour = personas.outsider
    login(client, neighbour)
    lat, lng = center_of(tree.grid_a1)
    url = reverse("cases:duplicates")
    html = html_of(client.get(url, {"category": categories.public_facilities.pk, "lat": lat + 0.0001, "lng": lng}))
    assert 'data-testid="duplicate"' in html and reverse("cases:follow", args=[existing.number]) in html
    assert "网格员甲" not in html  # who reported it is not shown
    # Another category, or far away: nothing.
    assert "duplicate" not in html_of(client.get(url, {"category": categories.greenery.pk, "lat": lat, "lng": lng}))
    assert html_of(client.get(url, {"category": categories.public_facilities.pk, "lat": lat + 0.01, "lng": lng})).strip() == ""
    assert html_of(client.get(url, {"category": "x"})) == ""

    response = client.post(reverse("cases:follow", args=[existing.number]), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("cases:detail", args=[existing.number])
    assert CaseFollower.objects.filter(case=existing, user=neighbour).exists()
    page = html_of(client.get(reverse("cases:detail", args=[existing.number])))
    assert "网格员甲" not in page  # a follower does not learn who reported it
    assert existing.number in html_of(client.get(reverse("cases:mine")))


def test_patrol_report_on_behalf_of_a_resident(client, personas, categories, tree, photo_file):
    assert login(client, personas.resident).get(reverse("cases:patrol")).status_code == 404
    login(client, personas.grid_worker)
    html = html_of(client.get(reverse("cases:patrol")))
    assert 'name="reporter_phone"' in html and 'name="show_reporter_name"' not in html
    data = report_data(categories, tree.grid_a1, reporter_name="张阿姨", reporter_phone="13912345678",
                       photos=[photo_file()])
    response = client.post(reverse("cases:patrol"), data)
    assert response.status_code == 302, html_of(response)
    case = Case.objects.get()
    assert (case.channel, case.reporter, case.reporter_name, case.reporter_phone) == (
        "patrol", personas.grid_worker, "张阿姨", "13912345678")
    bad = client.post(reverse("cases:patrol"), {**data, "reporter_phone": "12345", "photos": [photo_file()]})
    assert bad.status_code == 400 and 'name="reporter_phone"' in html_of(bad)


def test_walk_in_report_with_an_address_and_an_area(client, personas, categories, tree):
    assert login(client, personas.grid_worker).get(reverse("cases:walk_in")).status_code == 404
    login(client, personas.street_dispatcher)
    html = html_of(client.get(reverse("cases:walk_in")))
    assert f'<option value="{tree.community_a.code}">' in html and tree.street_b.code not in html
    assert 'capture="environment"' not in html  # a desk, not a phone
    data = {"category": str(categories.dispute.pk), "description": "楼上漏水，协商未果", "address": "坑内路8号302",
            "area": tree.community_a.code, "reporter_name": "李先生", "reporter_phone": "13811112222"}
    response = client.post(reverse("cases:walk_in"), data)
    assert response.status_code == 302, html_of(response)
    case = Case.objects.get()
    assert case.channel == "walk_in" and case.lat is None and case.reporter_name == "李先生"
    # Neither a pin nor an area: refused, with the reason on the area field.
    response = client.post(reverse("cases:walk_in"), {**data, "area": ""})
    assert response.status_code == 400 and Case.objects.count() == 1


# -- the dispatch desk ---------------------------------------------------------------------------


def test_queue_lists_the_dispatchers_cases_with_counts(client, personas, tree, report, case_at):
    mine = report()
    accepted = case_at("accepted")
    other = report(grid=tree.grid_b1)
    html = html_of(login(client, personas.street_dispatcher).get(reverse("cases:queue")))
    assert mine.number in html and accepted.number in html and other.number not in html
    assert 'data-status="reported"' in html and 'data-status="accepted"' in html

    response = client.get(reverse("cases:queue"), {"status": "accepted"})
    assert accepted.number in html_of(response) and mine.number not in html_of(response)
    assert [(t[0], t[2]) for t in response.context["status_tabs"]][:3] == [("", 2), ("reported", 1), ("accepted", 1)]

    other_desk = html_of(login(client, personas.other_street_dispatcher).get(reverse("cases:queue")))
    assert other.number in other_desk and mine.number not in other_desk


@pytest.mark.parametrize("persona", ["resident", "department_handler", "outsider"])
def test_queue_is_404_without_a_dispatch_role(client, personas, persona):
    assert login(client, getattr(personas, persona)).get(reverse("cases:queue")).status_code == 404


def test_queue_filters(client, personas, tree, categories, report):
    manhole = report(category=categories.manhole)
    tree_case = report(category=categories.greenery, grid=tree.grid_a2)
    login(client, personas.street_dispatcher)

    def numbers(**params):
        return {c.number for c in client.get(reverse("cases:queue"), params).context["page"].items}

    assert numbers(category="public-facilities") == {manhole.number}
    assert numbers(area=tree.grid_a2.code) == {tree_case.number}
    assert numbers(channel="patrol") == set()
    assert numbers(q=manhole.number) == {manhole.number}
    Case.objects.filter(pk=manhole.pk).update(sla_state="overdue")
    assert numbers(overdue="true") == {manhole.number}
    assert numbers(claimable="true") == set()


def test_queue_pages_by_id_and_costs_the_same_for_5_and_30_cases(client, personas, report):
    login(client, personas.street_dispatcher)
    for _ in range(5):
        report()
    few = count_queries(client, reverse("cases:queue"))
    for _ in range(25):
        report()
    many = count_queries(client, reverse("cases:queue"))
    assert few == many

    first = client.get(reverse("cases:queue")).context["page"]
    assert len(first.items) == 25 and first.has_next and not first.has_previous
    second = client.get(reverse("cases:queue"), {"after": first.next_cursor}).context["page"]
    assert len(second.items) == 5 and second.has_previous and not second.has_next
    back = client.get(reverse("cases:queue"), {"before": second.previous_cursor}).context["page"]
    assert [c.pk for c in back.items] == [c.pk for c in first.items]
    assert f"after={first.next_cursor}" in html_of(client.get(reverse("cases:queue")))


def test_bulk_dispatch_reports_each_case(client, personas, report, case_at):
    ready = [case_at("accepted"), case_at("accepted")]
    fresh = report()
    login(client, personas.street_dispatcher, language="en")
    response = client.post(reverse("cases:bulk_dispatch"), {
        "unit": personas.department.pk, "case": [c.pk for c in ready] + [fresh.pk],
    })
    assert response.status_code == 200
    results = {case.number: ok for case, ok, _message in response.context["results"]}
    assert results == {ready[0].number: True, ready[1].number: True, fresh.number: False}
    assert "Not possible while the case is “Reported”." in html_of(response)
    for case in ready:
        case.refresh_from_db()
        assert case.status == "dispatched" and case.unit == personas.department
    fresh.refresh_from_db()
    assert fresh.status == "reported"
    # Nothing selected, or nothing that is an id: back to the desk with a message.
    response = client.post(reverse("cases:bulk_dispatch"), {"unit": personas.department.pk})
    assert response.status_code == 302
    junk = client.post(reverse("cases:bulk_dispatch"), {"unit": personas.department.pk,
                                                        "case": ["²", "٣", str(2**64), "-1"]})
    assert junk.status_code == 302


def test_bulk_dispatch_ignores_cases_outside_the_scope(client, personas, tree, report):
    other = report(grid=tree.grid_b1)
    actions.perform(personas.other_street_dispatcher, other, "accept")
    login(client, personas.street_dispatcher)
    response = client.post(reverse("cases:bulk_dispatch"), {"unit": personas.department.pk, "case": [other.pk]})
    assert response.context["results"] == []
    other.refresh_from_db()
    assert other.status == "accepted"


# -- the case page -------------------------------------------------------------------------------


def test_case_page_shows_exactly_the_allowed_actions(client, personas, report):
    case = report()
    html = html_of(login(client, personas.street_dispatcher).get(reverse("cases:detail", args=[case.number])))
    shown = {a for a in ("accept", "reject", "dispatch", "escalate", "sign", "resolve", "verify", "close", "rate")
             if f'data-testid="action-{a}"' in html}
    assert shown == set(actions.allowed_actions(personas.street_dispatcher, case)) & shown
    assert {"accept", "reject"} <= shown and "sign" not in shown
    assert 'id="case-map"' in html and "第一网格" in html
    assert "居民甲" in html  # a dispatcher sees the reporter
    assert "139****0001" in html and "13900000001" not in html

    # The reporter sees the progress and no staff action.
    html = html_of(login(client, personas.resident).get(reverse("cases:detail", args=[case.number])))
    assert 'data-testid="actions"' not in html and 'data-testid="progress"' in html


@pytest.mark.parametrize("persona", ["outsider", "other_street_dispatcher", "department_handler"])
def test_case_page_is_404_outside_the_scope(client, personas, report, persona):
    case = report()
    response = login(client, getattr(personas, persona)).get(reverse("cases:detail", args=[case.number]))
    assert response.status_code == 404


def test_case_page_costs_the_same_whatever_the_timeline(client, personas, case_at):
    short = case_at("dispatched")
    long = case_at("dispatched")
    for _ in range(12):
        actions.perform(personas.street_dispatcher, long, "remind", note="请尽快处理")
    login(client, personas.street_dispatcher)
    assert count_queries(client, reverse("cases:detail", args=[short.number])) == count_queries(
        client, reverse("cases:detail", args=[long.number]))


def test_actions_through_the_page(client, personas, report, photo_file):
    case = report()
    url = reverse("cases:detail", args=[case.number])
    login(client, personas.street_dispatcher, language="en")

    # A reason is required to reject: the form comes back open with the error.
    response = client.post(reverse("cases:act", args=[case.number, "reject"]), {"reject-reason": ""})
    assert response.status_code == 400 and 'id="form-reject"' not in html_of(response)
    assert "This field is required." in html_of(response)

    response = client.post(reverse("cases:act", args=[case.number, "accept"]), {"accept-note": "收到"})
    assert response.status_code == 302 and response.url == url
    response = client.post(reverse("cases:act", args=[case.number, "dispatch"]),
                           {"dispatch-unit": personas.department.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "dispatched" and case.unit == personas.department

    # Accepting again is no longer possible: 409, the page as it is now.
    response = client.post(reverse("cases:act", args=[case.number, "accept"]))
    assert response.status_code == 409 and "no longer possible" in html_of(response)
    # The dispatcher is not the unit: signing is outside their role.
    assert client.post(reverse("cases:act", args=[case.number, "sign"])).status_code == 404
    assert client.post(reverse("cases:act", args=[case.number, "frobnicate"])).status_code == 404

    login(client, personas.department_handler, language="en")
    assert client.post(reverse("cases:act", args=[case.number, "sign"])).status_code == 302
    response = client.post(reverse("cases:act", args=[case.number, "resolve"]), {"resolve-note": "已更换井盖"})
    assert response.status_code == 400 and "Add at least one photo." in html_of(response)
    response = client.post(reverse("cases:act", args=[case.number, "resolve"]),
                           {"resolve-note": "已更换井盖", "resolve-photos": [photo_file("fix.jpg")]})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "resolved"
    evidence = CasePhoto.objects.get(case=case, event__action="resolve")
    html = html_of(client.get(url))
    assert reverse("cases:photo_thumb", args=[evidence.pk]) in html and "已更换井盖" in html


def test_an_unlocated_case_is_placed_on_a_grid_from_its_page(client, personas, tree, report):
    case = report(lat=24.471, lng=118.1045)  # just east of 第二网格: outside every grid
    assert case.unlocated
    login(client, personas.street_dispatcher)
    url = reverse("cases:detail", args=[case.number])
    html = html_of(client.get(url))
    assert 'data-testid="place-form"' in html and tree.grid_a1.code in html and tree.grid_b1.code not in html
    assert client.post(reverse("cases:place", args=[case.number]), {"area": tree.grid_b1.code}).status_code == 302
    case.refresh_from_db()
    assert case.unlocated  # street B's grid is outside the dispatcher's scope
    client.post(reverse("cases:place", args=[case.number]), {"area": tree.grid_a1.code})
    case.refresh_from_db()
    assert case.area == tree.grid_a1 and not case.unlocated
    assert 'data-testid="place-form"' not in html_of(client.get(url))


def test_photos_are_served_only_to_those_who_may_see_the_case(client, personas, report, photo_file):
    case = report(photos=[photo_file()])
    photo = case.photos.get()
    assert login(client, personas.resident).get(reverse("cases:photo", args=[photo.pk]))["Content-Type"] == "image/jpeg"
    assert client.get(reverse("cases:photo_thumb", args=[photo.pk])).status_code == 200
    client.logout()
    assert client.get(reverse("cases:photo", args=[photo.pk])).status_code == 302
    actions.perform(personas.street_dispatcher, case, "reject", reason="不属于受理范围")
    assert login(client, personas.outsider).get(reverse("cases:photo", args=[photo.pk])).status_code == 404


# -- the unit, the grid worker, the resident ---------------------------------------------------------


def test_unit_inbox_signs_from_the_list(client, personas, case_at):
    case = case_at("dispatched")
    login(client, personas.department_handler)
    response = client.get(reverse("cases:inbox"))
    html = html_of(response)
    assert case.number in html and 'data-testid="quick-sign"' in html
    assert dict((t[0], t[2]) for t in response.context["tabs"])["to_sign"] == 1
    response = client.post(reverse("cases:act", args=[case.number, "sign"]),
                           {"next": reverse("cases:detail", args=[case.number])})
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[case.number])
    case.refresh_from_db()
    assert case.status == "in_progress"
    # Nothing new to sign: the inbox opens on the cases in progress.
    response = client.get(reverse("cases:inbox"))
    assert response.context["tab"] == "in_progress" and case.number in html_of(response)
    assert 'data-testid="inbox-empty"' in html_of(client.get(reverse("cases:inbox"), {"tab": "to_sign"}))
    assert login(client, personas.resident).get(reverse("cases:inbox")).status_code == 404


def test_claim_board_lists_published_cases_for_the_unit(client, personas, case_at):
    case = case_at("accepted", publish=True)
    login(client, personas.department_handler)
    assert case.number in html_of(client.get(reverse("cases:board")))
    response = client.post(reverse("cases:act", args=[case.number, "claim"]))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "dispatched" and case.unit == personas.department
    assert 'data-testid="board-empty"' in html_of(client.get(reverse("cases:board")))


def test_grid_worker_sees_fixes_to_verify(client, personas, case_at):
    case = case_at("resolved")
    login(client, personas.grid_worker)
    html = html_of(client.get(reverse("cases:tasks")))
    assert case.number in html and reverse("cases:patrol") in html
    assert 'class="ll-row-thumb"' in html  # the evidence photo
    response = client.post(reverse("cases:act", args=[case.number, "verify"]), {"verify-note": "现场已修复"})
    assert response.status_code == 302
    assert 'data-testid="tasks-empty"' in html_of(client.get(reverse("cases:tasks")))
    assert login(client, personas.resident).get(reverse("cases:tasks")).status_code == 404


def test_resident_rates_and_reopens_from_my_reports(client, personas, case_at):
    case = case_at("closed")
    login(client, personas.resident, language="en")
    html = html_of(client.get(reverse("cases:mine")))
    assert case.number in html and 'data-testid="rate-cta"' in html and "is-current" not in html
    page = html_of(client.get(reverse("cases:detail", args=[case.number])))
    assert 'data-testid="action-rate"' in page and 'data-testid="star-5"' in page
    assert 'data-testid="action-reopen"' in page

    response = client.post(reverse("cases:act", args=[case.number, "rate"]), {"rate-rating": "7"})
    assert response.status_code == 400
    response = client.post(reverse("cases:act", args=[case.number, "rate"]),
                           {"rate-rating": "2", "rate-comment": "还是有点松"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.rating, case.rating_comment) == (2, "还是有点松")
    response = client.post(reverse("cases:act", args=[case.number, "reopen"]), {"reopen-reason": "井盖又松了"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "accepted" and case.reopened


def test_my_reports_empty_state_and_only_my_own(client, personas, report):
    html = html_of(login(client, personas.outsider).get(reverse("cases:mine")))
    assert 'data-testid="mine-empty"' in html and reverse("cases:report") in html
    report()  # the resident's
    assert 'data-testid="mine-empty"' in html_of(client.get(reverse("cases:mine")))


# -- home tiles and language -----------------------------------------------------------------------


def test_home_tiles_lead_to_the_case_pages(client, personas):
    assert reverse("cases:report") in html_of(login(client, personas.resident).get(reverse("home")))
    assert reverse("cases:mine") in html_of(client.get(reverse("home")))
    html = html_of(login(client, personas.grid_worker).get(reverse("home")))
    assert reverse("cases:patrol") in html and reverse("cases:tasks") in html
    html = html_of(login(client, personas.street_dispatcher).get(reverse("home")))
    assert reverse("cases:queue") in html and reverse("cases:ledger") in html and reverse("cases:walk_in") in html
    html = html_of(login(client, personas.department_handler).get(reverse("home")))
    assert reverse("cases:inbox") in html and reverse("cases:board") in html


def test_pages_in_english(client, personas, case_at):
    case = case_at("dispatched")
    login(client, personas.street_dispatcher, language="en")
    assert "Dispatch desk" in html_of(client.get(reverse("cases:queue")))
    assert "Timeline" in html_of(client.get(reverse("cases:detail", args=[case.number])))
    assert "Snapshot report" in html_of(client.get(reverse("cases:report")))


def test_the_snapshot_page_spends_the_same_intake_budget_as_the_api(client, personas, categories, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "intake-user": (2, 60)}
    client.force_login(personas.resident)
    url = reverse("cases:report")
    for _ in range(2):
        assert client.post(url, {}).status_code != 429  # a bad form still spends the budget
    response = client.post(url, {})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert client.get(url).status_code == 200  # reading the page is free
