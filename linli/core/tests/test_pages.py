"""Server-rendered pages: home per persona, both languages, the language switch."""

import pytest
from django.conf import settings
from django.urls import reverse

from linli.accounts.choices import Role
from linli.accounts.models import RoleAssignment
from linli.core.testing import scripts_of, square
from linli.orgs.actions import do_create_organization
from linli.orgs.choices import OrganizationKind
from linli.places.actions import do_create_area

pytestmark = pytest.mark.django_db



def get(client, url, language=None, user=None):
    if user is not None:
        client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


@pytest.fixture
def federation(personas):
    return personas.federation  # 开元街道妇联, serving street A


# -- anonymous landing -----------------------------------------------------------


def test_landing_in_chinese_by_default(client):
    html = get(client, reverse("home")).content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "邻里" in html and "Linli" in html
    assert "我是居民" in html and "我是工作人员" in html
    assert reverse("accounts:login") in html and reverse("accounts:login_code") in html
    assert "I am a resident" not in html


def test_landing_in_english(client):
    html = get(client, reverse("home"), language="en").content.decode()
    assert '<html lang="en">' in html
    assert "I am a resident" in html and "I am staff" in html
    assert "我是居民" not in html


def test_landing_follows_accept_language(client):
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "I am staff" in html


def test_static_assets_come_from_the_app_never_a_cdn(client):
    html = get(client, reverse("home")).content.decode()
    assert "/static/bootstrap/bootstrap.min.css" in html
    assert "/static/bootstrap/bootstrap.min.js" in html
    assert "/static/css/linli.css" in html
    assert "//cdn" not in html and "https://" not in html


# -- language switch -------------------------------------------------------------


def test_language_switch_posts_to_set_language_and_sticks(client, personas):
    client.force_login(personas.resident)
    html = get(client, reverse("home")).content.decode()
    assert f'action="{reverse("set_language")}"' in html
    assert 'name="language" value="en"' in html

    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "My reports" in get(client, reverse("home")).content.decode()

    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("home")})
    assert "我的诉求" in get(client, reverse("home")).content.decode()


# -- home per persona --------------------------------------------------------------


def test_resident_home(client, personas):
    response = get(client, reverse("home"), user=personas.resident)
    html = response.content.decode()
    assert response.context["home_kind"] == "resident"
    assert "居民甲" in html
    assert "随手拍" in html and 'href="/service-orders/"' in html  # 点单: the service menu
    assert "我的诉求" in html and "志愿活动" in html and "我的积分" in html
    assert "坑内社区" in html
    assert 'data-section="areas"' not in html


def test_resident_home_loads_only_bootstrap_script_deferred(client, personas):
    html = get(client, reverse("home"), user=personas.resident).content.decode()
    # no map, no htmx attribute: neither Leaflet nor htmx; Bootstrap's (the ☰ menu) deferred
    assert scripts_of(html) == {"bootstrap/bootstrap.min.js": True}
    assert "leaflet" not in html and " hx-get" not in html and " hx-post" not in html


def test_resident_home_in_english(client, personas):
    html = get(client, reverse("home"), language="en", user=personas.resident).content.decode()
    assert "Snapshot report" in html and "Order a service" in html and "My points" in html


def test_grid_worker_home_links_to_the_grid_map(client, personas, tree):
    response = get(client, reverse("home"), user=personas.grid_worker)
    html = response.content.decode()
    assert response.context["home_kind"] == "field"
    assert "我的网格" in html
    assert "坑内社区 · 第一网格" in html
    assert reverse("places:area_detail", args=[tree.grid_a1.code]) in html
    assert "随手拍" not in html


def test_community_staff_home(client, personas, tree, federation):
    response = get(client, reverse("home"), user=personas.community_staff)
    html = response.content.decode()
    assert response.context["home_kind"] == "staff"
    assert [a.code for a in response.context["top_areas"]] == [tree.community_a.code]
    assert reverse("places:area_detail", args=[tree.community_a.code]) in html
    assert "社区工作者（正职）" in html
    # The organizations of the personas serve the street, above the community: not in scope.
    assert "开元街道妇联" not in html
    assert "暂无组织" in html


def test_street_dispatcher_home_lists_its_street_only(client, personas, tree, federation):
    response = get(client, reverse("home"), user=personas.street_dispatcher)
    html = response.content.decode()
    assert response.context["home_kind"] == "staff"
    assert [a.code for a in response.context["top_areas"]] == [tree.street_a.code]
    assert reverse("places:area_detail", args=[tree.street_a.code]) in html
    assert reverse("places:area_detail", args=[tree.street_b.code]) not in html
    assert dict((level, n) for level, _label, n in response.context["area_counts"]) == {
        "street": 1,
        "community": 1,
        "grid": 2,
    }
    assert "指挥中心" in html and "开元街道妇联" in html and "市政园林局" in html
    assert reverse("orgs:organization_detail", args=[federation.pk]) in html
    assert 'data-section="admin"' not in html


def test_other_street_dispatcher_sees_street_b(client, personas, tree, federation):
    response = get(client, reverse("home"), user=personas.other_street_dispatcher)
    assert [a.code for a in response.context["top_areas"]] == [tree.street_b.code]
    assert "开元街道妇联" not in response.content.decode()


def test_outsider_gets_the_resident_home_without_a_community(client, personas):
    response = get(client, reverse("home"), user=personas.outsider)
    html = response.content.decode()
    assert response.context["home_kind"] == "resident"
    assert 'data-testid="no-community"' in html
    assert 'data-section="areas"' not in html


def test_user_with_several_roles_gets_the_staff_home_with_a_section_each(client, personas, tree):
    user = personas.community_staff
    RoleAssignment.objects.create(user=user, role=Role.GRID_WORKER, area=tree.grid_a2)
    RoleAssignment.objects.create(user=user, role=Role.RESIDENT, area=tree.community_a)
    response = get(client, reverse("home"), user=user)
    html = response.content.decode()
    assert response.context["home_kind"] == "staff"
    for section in ("role-community_staff", "areas", "organizations", "field", "resident"):
        assert f'data-section="{section}"' in html, section


def test_system_admin_home_links_to_the_back_office(client, personas, tree):
    admin = personas.system_admin
    response = get(client, reverse("home"), user=admin)
    assert response.context["home_kind"] == "staff"
    assert [a.code for a in response.context["top_areas"]] == [tree.city.code]
    html = response.content.decode()
    assert 'data-section="admin"' in html
    assert "尚未开通后台权限" in html  # the role alone does not open the admin
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    html = get(client, reverse("home")).content.decode()
    assert f'href="{reverse("admin:index")}"' in html and "进入后台管理" in html


def test_department_handler_home_shows_the_unit_not_areas(client, personas):
    response = get(client, reverse("home"), user=personas.department_handler)
    html = response.content.decode()
    assert response.context["home_kind"] == "staff"
    assert response.context["top_areas"] == []
    assert "暂无管辖区域" in html
    assert "部门办理人" in html and "我的工单" in html
    assert reverse("cases:inbox") in html and reverse("cases:board") in html
    assert [o.name for o in response.context["top_orgs"]] == ["市政园林局"]


def test_org_admin_home_lists_the_federation(client, personas):
    response = get(client, reverse("home"), user=personas.org_admin)
    assert response.context["home_kind"] == "staff"
    assert [o.name for o in response.context["top_orgs"]] == ["开元街道妇联"]
    assert "组织管理员" in response.content.decode()


def test_superuser_without_roles_sees_the_root_areas(client, tree, django_user_model):
    root = django_user_model.objects.create_superuser(phone="13900000098", name="超级管理员", password="x-pass-123")
    response = get(client, reverse("home"), user=root)
    assert response.context["home_kind"] == "staff"
    assert [a.code for a in response.context["top_areas"]] == [tree.city.code]


# -- constant number of queries ------------------------------------------------------


def _grow(tree):
    """More of everything under street A: a community with grids, organizations."""
    community = do_create_area(parent=tree.street_a, name="新社区", level="community", code="350203001002")
    for i in range(1, 6):
        do_create_area(
            parent=community, name=f"第{i}网格", level="grid", code=f"350203001002{i:03d}",
            boundary=square(118.11 + i * 0.002, 24.47),
        )
    for i in range(4):
        do_create_organization(parent=None, name=f"志愿服务队{i}", kind=OrganizationKind.VOLUNTEER_TEAM, area=community)


@pytest.mark.parametrize(
    "persona",
    ["resident", "grid_worker", "community_staff", "street_dispatcher", "outsider", "department_handler", "system_admin"],
)
def test_home_uses_a_constant_number_of_queries(client, personas, tree, persona, django_assert_num_queries):
    user = getattr(personas, persona)
    client.force_login(user)
    client.get(reverse("home"))  # warm up (session, translations)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(reverse("home"))
    _grow(tree)
    RoleAssignment.objects.create(user=personas.street_dispatcher, role=Role.COMMAND_CENTER, area=tree.street_b)
    with django_assert_num_queries(len(before.captured_queries)):
        assert client.get(reverse("home")).status_code == 200


def test_staff_home_query_count(client, personas, django_assert_num_queries):
    client.force_login(personas.street_dispatcher)
    client.get(reverse("home"))
    # session, user, role assignments, scope, area counts, organization counts, top organizations,
    # the bell's unread count, the 待结案 count on its tile
    with django_assert_num_queries(9):
        client.get(reverse("home"))


# -- every page renders in both languages --------------------------------------------


def _pages(tree, federation):
    return [
        ("home", None, reverse("home")),
        ("login", None, reverse("accounts:login")),
        ("login_code", None, reverse("accounts:login_code")),
        ("home", "resident", reverse("home")),
        ("home", "grid_worker", reverse("home")),
        ("home", "community_staff", reverse("home")),
        ("home", "street_dispatcher", reverse("home")),
        ("area", "street_dispatcher", reverse("places:area_detail", args=[tree.street_a.code])),
        ("area", "street_dispatcher", reverse("places:area_detail", args=[tree.community_a.code])),
        ("area", "grid_worker", reverse("places:area_detail", args=[tree.grid_a1.code])),
        ("org", "street_dispatcher", reverse("orgs:organization_detail", args=[federation.pk])),
        ("home", "department_handler", reverse("home")),
        ("home", "system_admin", reverse("home")),
    ]


@pytest.mark.parametrize("language, marker", [("zh-hans", "退出"), ("en", "Log out")])
def test_every_page_renders_in_both_languages(client, personas, tree, federation, language, marker):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html_lang = "zh-Hans" if language == "zh-hans" else "en"
    for name, persona, url in _pages(tree, federation):
        client.logout()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        if persona:
            client.force_login(getattr(personas, persona))
        response = client.get(url)
        assert response.status_code == 200, (name, persona, url)
        html = response.content.decode()
        assert f'<html lang="{html_lang}">' in html, (name, url)
        if persona:
            assert marker in html, (name, url)


def test_not_found_page_is_translated(client, personas):
    client.force_login(personas.resident)
    response = client.get("/places/000000000000/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Page not found" in client.get("/no-such-page/").content.decode()


def test_server_error_page_renders_without_a_request_context(rf):
    from django.utils import translation
    from django.views.defaults import server_error

    with translation.override("zh-hans"):  # no middleware here to pick the language
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统出了点问题" in html and "/static/css/linli.css" in html


def test_api_404_stays_json(client):
    response = client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


# -- organization page ----------------------------------------------------------------


def test_organization_page_is_scoped(client, personas, federation):
    url = reverse("orgs:organization_detail", args=[federation.pk])
    client.force_login(personas.street_dispatcher)
    html = client.get(url).content.decode()
    assert "开元街道妇联" in html and "妇联" in html
    client.force_login(personas.other_street_dispatcher)
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
