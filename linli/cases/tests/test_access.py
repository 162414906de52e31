"""Who reaches which case page, and what they see there: the claim board for everyone who
publishes, claims or watches it; filters without false errors; the resident sign-in after a
case link; the project's own 404/403 pages (also under DEBUG); who rates; the patrol report
outside one's grid; the category and unit selects."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from linli.accounts.choices import Role
from linli.cases import actions, queries
from linli.cases.choices import CaseStatus
from linli.cases.filters import CaseFilterSet
from linli.cases.models import Case
from linli.cases.testing import center_of
from linli.core.testing import code_from, make_person
from linli.orgs.actions import do_create_organization

pytestmark = pytest.mark.django_db

FALSE_ERRORS = ("Select a valid choice", "不在可用的选项中", "is-invalid", "text-danger small mt-2")


def html_of(response):
    return response.content.decode()


def login(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# -- the claim board -------------------------------------------------------------------------


@pytest.fixture
def published(case_at):
    return case_at(CaseStatus.ACCEPTED, publish=True)


def board_rows(client):
    response = client.get(reverse("cases:board"))
    return response.status_code, html_of(response)


@pytest.mark.parametrize("who", ["street_dispatcher", "community_staff"])
def test_the_publishers_watch_their_areas_board_without_claiming(client, personas, published, who):
    status, html = board_rows(login(client, getattr(personas, who)))
    assert status == 200
    assert f'data-number="{published.number}"' in html
    assert 'data-testid="quick-claim"' not in html and 'data-testid="board-watch"' in html
    assert reverse("cases:queue") in html  # the way back is the dispatch desk, not the unit inbox
    # and the case page opens for them
    assert client.get(reverse("cases:detail", args=[published.number])).status_code == 200


@pytest.mark.parametrize("who, unit", [("department_handler", "department"), ("org_admin", "federation")])
def test_the_units_claim_from_the_board(client, personas, federations_handle_facilities, published, who, unit):
    status, html = board_rows(login(client, getattr(personas, who)))
    assert status == 200 and f'data-number="{published.number}"' in html and 'data-testid="quick-claim"' in html
    response = client.post(reverse("cases:act", args=[published.number, "claim"]))
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.unit == getattr(personas, unit) and published.status == CaseStatus.DISPATCHED


def test_another_streets_people_see_nothing_of_it(client, personas, published, tree):
    dispatcher = personas.other_street_dispatcher
    status, html = board_rows(login(client, dispatcher))
    assert status == 200 and published.number not in html and 'data-testid="board-empty"' in html
    assert client.get(reverse("cases:detail", args=[published.number])).status_code == 404
    unit = do_create_organization(parent=None, name="中华街道城管中队", kind="department", area=tree.street_b)
    handler = make_person("13900000051", "城管乙", Role.DEPARTMENT_HANDLER, organization=unit)
    status, html = board_rows(login(client, handler))
    assert status == 200 and published.number not in html
    assert client.post(reverse("cases:act", args=[published.number, "claim"])).status_code == 404


@pytest.mark.parametrize("who", ["resident", "grid_worker", "outsider"])
def test_people_who_neither_publish_nor_claim_get_no_board(client, personas, published, who):
    assert login(client, getattr(personas, who)).get(reverse("cases:board")).status_code == 404


def test_the_board_costs_the_same_queries_for_more_cases(client, personas, case_at, django_assert_max_num_queries):
    login(client, personas.department_handler)
    case_at(CaseStatus.ACCEPTED, publish=True)
    client.get(reverse("cases:board"))  # warm the session
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("cases:board"))
    for _ in range(3):
        case_at(CaseStatus.ACCEPTED, publish=True)
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = html_of(client.get(reverse("cases:board")))
    assert html.count('data-testid="quick-claim"') == 4


# -- filters: an "all" option is no filter, never an error --------------------------------------


def test_an_empty_all_option_is_no_filter(personas, case_at):
    case = case_at(CaseStatus.REPORTED)
    data = {"status": "", "channel": "", "category": "", "area": "", "q": "", "overdue": "", "unit": ""}
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    query.update(data)
    filterset = CaseFilterSet(query, queryset=queries.cases_for(personas.street_dispatcher))
    assert filterset.is_valid(), filterset.errors
    assert list(filterset.qs) == [case]
    # plain dicts (the API's tests, scripts) too
    assert CaseFilterSet({"channel": ""}, queryset=Case.objects.all()).is_valid()
    # a real value still filters, and a wrong one is still an error
    assert list(CaseFilterSet({"channel": "patrol"}, queryset=Case.objects.all()).qs) == []
    assert not CaseFilterSet({"channel": "nonsense"}, queryset=Case.objects.all()).is_valid()


def test_the_queue_filter_with_all_options_shows_no_error(client, personas, case_at):
    case = case_at(CaseStatus.REPORTED)
    login(client, personas.street_dispatcher)
    html = html_of(client.get(reverse("cases:queue") + "?q=&category=&area=&channel="))
    assert case.number in html
    for text in FALSE_ERRORS:
        assert text not in html, text
    api = client.get("/api/cases/?channel=&status=&category=")
    assert api.status_code == 200, api.content


@pytest.mark.parametrize("who, url", [
    ("street_dispatcher", "/cases/queue/?q=&category=&area=&channel=&status="),
    ("street_dispatcher", "/cases/ledger/?area=&date_from=&date_to="),
    ("department_handler", "/cases/inbox/?tab="),
    ("resident", "/cases/mine/?after=&before="),
    ("street_dispatcher", "/service-orders/dispatch/?area=&offering=&all="),
    ("resident", "/service-orders/?area=&offering="),
    ("resident", "/service-orders/mine/?page="),
    ("resident", "/volunteering/?page="),
    ("resident", "/volunteering/mine/?page="),
    ("resident", "/points/leaderboard/?area=&period=&date="),
    ("resident", "/points/?before="),
    ("resident", "/points/redemptions/?status="),
    ("street_dispatcher", "/hotline/?area="),
    ("system_admin", "/points/catalog/redemptions/?status=&reward=&before="),
    ("org_admin", "/webhooks/?status="),
])
def test_every_list_filter_submitted_with_its_all_options_shows_no_error(client, personas, categories, who, url):
    response = login(client, getattr(personas, who)).get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = html_of(response)
    for text in ("Select a valid choice", "不在可用的选项中", "Enter a valid"):
        assert text not in html, (url, text)


@pytest.mark.parametrize("url", ["/api/v1/areas/?level=", "/api/v1/organizations/?kind=&area_level="])
def test_the_tree_filters_take_an_empty_choice(client, personas, url):
    response = login(client, personas.system_admin).get(url)
    assert response.status_code == 200, response.content


# -- signing in after a link, and the friendly error pages ---------------------------------------


def test_a_signed_out_resident_following_a_case_link_signs_in_by_sms(client, personas, case_at, sms_outbox,
                                                                     django_capture_on_commit_callbacks):
    case = case_at(CaseStatus.REPORTED)
    url = reverse("cases:detail", args=[case.number])
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login_code"))
    page = html_of(client.get(response.url))
    assert 'data-testid="request-code-form"' in page and 'data-testid="login-tabs"' in page
    # the staff tab keeps where to go
    assert f'{reverse("accounts:login")}?next={url}' in page
    staff_page = html_of(client.get(reverse("accounts:login") + f"?next={url}"))
    assert f'{reverse("accounts:login_code")}?next={url}' in staff_page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:login_code"), {"step": "request", "phone": personas.resident.phone, "next": url})
    response = client.post(reverse("accounts:login_code"), {
        "step": "verify", "code": code_from(sms_outbox, personas.resident.phone), "next": url})
    assert response.status_code == 302 and response.url == url
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("debug", [True, False])
def test_links_a_person_may_not_open_answer_the_projects_page(client, settings, personas, case_at, debug):
    settings.DEBUG = debug
    other = make_person("13900000052", "居民乙", Role.RESIDENT)
    case = case_at(CaseStatus.REPORTED)
    login(client, other)
    for url in (reverse("cases:detail", args=[case.number]), reverse("cases:queue"), "/no-such-page/"):
        response = client.get(url)
        html = html_of(response)
        assert response.status_code == 404, url
        assert 'data-testid="error-404"' in html and f'href="{reverse("home")}"' in html, url
        assert "technical" not in html and "URLconf" not in html and "Traceback" not in html, url
    api = client.get("/api/cases/2020-999999/")
    assert api.status_code == 404 and api.json()["code"] == "not_found"


def test_permission_denied_answers_the_projects_page(settings, personas):
    from django.core.exceptions import PermissionDenied

    from linli.core.error_pages import FriendlyErrorPagesMiddleware
    from linli.core.views import permission_denied

    request = RequestFactory().get("/cases/queue/")
    request.user = personas.resident
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403 and 'data-testid="error-403"' in html_of(response)
    settings.DEBUG = True
    middleware = FriendlyErrorPagesMiddleware(lambda r: None)
    response = middleware.process_exception(request, PermissionDenied())
    assert response.status_code == 403 and "/" in html_of(response)
    api_request = RequestFactory().get("/api/cases/")
    api_request.user = AnonymousUser()
    assert middleware.process_exception(api_request, PermissionDenied()) is None  # DRF answers JSON itself
    assert permission_denied(api_request).status_code == 403
    assert b'"code"' in permission_denied(api_request).content


# -- who rates, and what counts in the satisfaction rate -----------------------------------------


def test_only_a_residents_own_report_is_rated(personas, case_at, tree):
    staff_case = case_at(CaseStatus.CLOSED, actor=personas.community_staff, channel="walk_in",
                         reporter_name="李先生", reporter_phone="13811112222")
    assert staff_case.reporter == personas.community_staff
    assert "rate" not in actions.allowed_actions(personas.community_staff, staff_case)
    from linli.cases.errors import ActionNotAllowed

    with pytest.raises(ActionNotAllowed):
        actions.perform(personas.community_staff, staff_case, "rate", rating=5)
    resident_case = case_at(CaseStatus.CLOSED)
    assert "rate" in actions.allowed_actions(personas.resident, resident_case)


def test_staff_reports_are_left_out_of_the_satisfaction_rate(personas, case_at, tree):
    from django.utils import timezone

    resident_case = case_at(CaseStatus.CLOSED)
    actions.perform(personas.resident, resident_case, "rate", rating=2)
    staff_case = case_at(CaseStatus.CLOSED, actor=personas.grid_worker, channel="patrol")
    # a rating given before staff reports stopped being rateable (old rows)
    Case.objects.filter(pk=staff_case.pk).update(rating=5)
    today = timezone.localdate()
    ledger = queries.ledger(tree.street_a, today.replace(day=1), today)
    assert (ledger.rated, ledger.satisfied, ledger.satisfaction_rate) == (1, 0, 0.0)


# -- intake: patrol outside one's grid, a category code, grouped categories ------------------------


def _point(grid):
    lat, lng = center_of(grid)
    return {"lat": f"{lat:.6f}", "lng": f"{lng:.6f}"}


def test_a_patrol_report_outside_ones_grid_is_warned_and_taken(client, personas, categories, tree):
    login(client, personas.grid_worker)
    html = html_of(client.get(reverse("cases:patrol")))
    assert 'id="own-grids"' in html and 'data-testid="outside-grid"' in html and "cases_patrol.js" in html
    own = re.search(r'<script id="own-grids" type="application/json">(.*?)</script>', html).group(1)
    assert "118.1" in own and "118.08" not in own  # the worker's grid a1 only
    data = {"category": str(categories.public_facilities.pk), "description": "路灯不亮", "photos": []}
    from linli.cases.testing import jpeg_bytes
    from django.core.files.uploadedfile import SimpleUploadedFile

    def post(grid):
        photo = SimpleUploadedFile("p.jpg", jpeg_bytes(), content_type="image/jpeg")
        return client.post(reverse("cases:patrol"), {**data, **_point(grid), "photos": [photo]}, follow=True)

    inside = html_of(post(tree.grid_a1))
    assert "Patrol report recorded as case" in inside and "Thank you" not in inside
    assert "outside your grid" not in inside
    outside = html_of(post(tree.grid_a2))
    assert "outside your grid" in outside and "Thank you" not in outside
    assert Case.objects.filter(channel="patrol").count() == 2


def test_a_resident_is_still_thanked(client, personas, categories, tree, photo_file):
    login(client, personas.resident)
    response = client.post(reverse("cases:report"), {
        "category": str(categories.public_facilities.pk), "description": "井盖松动", **_point(tree.grid_a1),
        "photos": [photo_file()]}, follow=True)
    assert "Thank you! Your report was received" in html_of(response)


@pytest.mark.parametrize("value", ["manhole", "1.5", "٣", "-1", "99999999999999999999999", " "])
def test_a_category_that_is_not_an_id_is_a_form_error(client, personas, categories, tree, photo_file, value):
    login(client, personas.resident)
    response = client.post(reverse("cases:report"), {
        "category": value, "description": "井盖松动", **_point(tree.grid_a1), "photos": [photo_file()]})
    assert response.status_code == 400
    assert 'data-testid="form-errors"' in html_of(response) and not Case.objects.exists()


@pytest.mark.parametrize("who, url", [
    ("resident", "/cases/report/"), ("grid_worker", "/cases/patrol/"), ("street_dispatcher", "/cases/walk-in/"),
    ("street_dispatcher", "/cases/queue/"),
])
def test_every_category_select_shows_its_groups(client, personas, categories, who, url):
    html = html_of(login(client, getattr(personas, who)).get(url))
    assert '<optgroup label="部件">' in html and '<optgroup label="事件">' in html, url


# -- the dispatch list ------------------------------------------------------------------------------


def test_dispatch_offers_handling_units_grouped_with_the_suggestion_first(client, personas, case_at, tree,
                                                                         routing_rules):
    do_create_organization(parent=None, name="坑内社区志愿服务队", kind="volunteer_team", area=tree.community_a)
    do_create_organization(parent=None, name="坑内物业公司", kind="enterprise", area=tree.community_a)
    case = case_at(CaseStatus.ACCEPTED)
    assert case.unit == personas.department  # routed
    login(client, personas.street_dispatcher)
    html = html_of(client.get(reverse("cases:detail", args=[case.number])))
    select = re.search(r'<select name="dispatch-unit".*?</select>', html, re.S).group(0)
    assert "开元街道妇联" not in select and "志愿服务队" not in select
    groups = re.findall(r'<optgroup label="([^"]+)">', select)
    assert groups[0] == "Suggested by the routing rules" and "Enterprise" in groups
    suggested = select.split("<optgroup")[1]
    assert "市政园林局" in suggested and "selected" in suggested
    assert "data-unit-search" in select and "unit_search.js" in html
    # the queue's bulk dispatch: the same units, grouped, searchable
    queue = html_of(client.get(reverse("cases:queue")))
    bulk = re.search(r'<select name="unit".*?</select>', queue, re.S).group(0)
    assert "开元街道妇联" not in bulk and "坑内物业公司" in bulk and "<optgroup" in bulk
    # a unit not offered is refused by the form
    federation = personas.federation
    response = client.post(reverse("cases:act", args=[case.number, "dispatch"]), {"dispatch-unit": federation.pk})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


def test_a_class_name_in_two_groups_also_names_its_group(client, personas, categories):
    from linli.cases.testing import make_category

    make_category(categories.component, "市容环境", "appearance-facilities")
    make_category(categories.event, "市容环境", "street-appearance")
    html = html_of(login(client, personas.resident).get(reverse("cases:report")))
    assert "市容环境（部件）" in html and "市容环境（事件）" in html
    assert "园林绿化（" not in html  # a name in one group stays as it is
