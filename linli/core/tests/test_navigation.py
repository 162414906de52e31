"""The ☰ menu: on every page, the home tiles of the signed-in person's roles, from one registry.

Before: the menu held only the name, the language and 退出; volunteering and service-order
pages had no way home; the volunteering tabs ran off a phone's screen.
"""

import re

import pytest
from django.test import Client
from django.urls import resolve, reverse

from linli.accounts.choices import Role
from linli.accounts.models import RoleAssignment
from linli.core.registry import registered_tiles
from linli.core.testing import make_person
from linli.orgs.actions import do_create_organization

STAFF_ONLY = {"cases:queue", "cases:board", "cases:ledger", "cases:walk_in", "cases:inbox", "hotline:index",
              "open311:screening", "service_orders:dispatch", "service_orders:team", "points:catalog",
              "points:fulfil", "volunteering:manage", "volunteering:create", "webhooks:list", "cases:patrol",
              "cases:tasks"}

RESIDENT_ENTRIES = ["cases:report", "service_orders:menu", "cases:mine", "volunteering:index", "points:shop"]

# Persona → the url names of its menu entries, in order (home first, always).
EXPECTED = {
    "resident": RESIDENT_ENTRIES,
    "outsider": RESIDENT_ENTRIES,  # no role at all: a resident
    "grid_worker": ["cases:patrol", "cases:tasks"],
    "street_dispatcher": ["cases:queue", "cases:queue?status=verified", "cases:board", "cases:ledger", "cases:walk_in", "hotline:index",
                          "open311:screening", "service_orders:dispatch"],
    "community_staff": ["cases:queue", "cases:queue?status=verified", "cases:board", "cases:ledger", "cases:walk_in",
                        "service_orders:dispatch", "points:catalog",
                        "points:fulfil"],
    "department_handler": ["cases:inbox", "cases:board"],
    "org_admin": ["orgs:network", "onboarding:index", "cases:inbox", "cases:board", "webhooks:list"],  # their network; the work orders a claim brings
    "team_leader": ["volunteering:my_teams", "volunteering:manage", "volunteering:create", "service_orders:offerings",
                    "service_orders:team"],
}


@pytest.fixture
def people(personas, tree):
    team = do_create_organization(parent=None, name="坑内社区志愿服务队", kind="volunteer_team", area=tree.community_a)
    personas.team_leader = make_person("13900000010", "队长甲", Role.VOLUNTEER_TEAM_LEADER, organization=team)
    return personas


def menu_of(html):
    """(data-menu key, href) of each entry of the ☰ menu in a page."""
    block = re.search(r'<ul class="navbar-nav ll-menu[^"]*" data-testid="menu">(.*?)</ul>', html, re.S)
    assert block, "no menu on the page"
    return re.findall(r'<a class="nav-link" href="([^"]*)" data-menu="([^"]+)"', block.group(1))


def page(client, user, url):
    client.force_login(user)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("persona", sorted(EXPECTED))
@pytest.mark.parametrize("where", ["volunteering:index", "service_orders:menu", "home"])
def test_every_page_has_the_persona_menu(client, people, persona, where):
    user = getattr(people, persona)
    entries = menu_of(page(client, user, reverse(where)))
    assert entries[0] == (reverse("home"), "home")  # the way home, on every page
    names = [resolve(href.split("?")[0]).view_name + (f"?{href.split('?')[1]}" if "?" in href else "")
             for href, _key in entries[1:]]
    assert names == EXPECTED[persona]
    assert all(href.startswith("/") for href, _key in entries)  # no entry without a URL


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_every_menu_entry_opens(client, people, persona):
    """No dead entry: each one answers the person a page (not a 404 or 403)."""
    user = getattr(people, persona)
    for href, key in menu_of(page(client, user, reverse("volunteering:index"))):
        assert client.get(href).status_code == 200, (persona, key, href)


@pytest.mark.parametrize("persona", ["street_dispatcher", "community_staff", "department_handler"])
def test_who_publishes_claims_or_watches_reaches_the_claim_board(client, people, persona):
    user = getattr(people, persona)
    html = page(client, user, reverse("home"))
    board = reverse("cases:board")
    assert f'href="{board}" data-menu="cases.board"' in html  # the menu
    assert f'<a class="ll-card-link" href="{board}">' in html  # the home tile
    assert "揭榜领办" in html


@pytest.mark.parametrize("persona", ["resident", "outsider"])
def test_a_resident_sees_no_staff_entries(client, people, persona):
    html = page(client, getattr(people, persona), reverse("service_orders:menu"))
    names = {resolve(href.split("?")[0]).view_name for href, _key in menu_of(html)}
    assert not names & STAFF_ONLY
    assert {"随手拍", "我的诉求", "志愿活动", "积分超市"} <= set(re.findall(r"</span>([^<]+)</a></li>", html))


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_menu_holds_exactly_the_home_tiles(client, people, persona):
    """One registry feeds both: every home tile is in the menu and the menu has nothing else."""
    user = getattr(people, persona)
    html = page(client, user, reverse("home"))
    tiles = set(re.findall(r'<a class="ll-card-link" href="([^"]+)">', html))
    menu = {href for href, key in menu_of(html) if key != "home"}
    assert tiles == menu
    for word in ("即将上线", "敬请期待", "Coming soon", "aria-disabled"):
        assert word not in html


def test_a_person_with_several_roles_gets_each_entry_once(client, people, tree):
    user = people.community_staff
    RoleAssignment.objects.create(user=user, role=Role.COMMAND_CENTER, area=tree.street_a)
    RoleAssignment.objects.create(user=user, role=Role.RESIDENT, area=tree.community_a)
    entries = menu_of(page(client, user, reverse("volunteering:index")))
    hrefs = [href for href, _key in entries]
    assert len(hrefs) == len(set(hrefs))
    names = {resolve(href.split("?")[0]).view_name for href in hrefs}
    assert {"cases:walk_in", "points:fulfil", "cases:report", "cases:board"} <= names


def test_no_registered_tile_is_a_placeholder():
    tiles = registered_tiles()
    assert tiles
    for tile in tiles:
        assert tile.url.startswith("/"), tile.key  # reverses: a page exists
        assert tile.roles, tile.key


def test_the_menu_costs_one_query_whatever_the_roles(client, people, tree, django_assert_num_queries):
    """The menu reads the roles once per page (none on home, which already loaded them)."""
    user = people.community_staff
    client.force_login(user)
    url = reverse("points:catalog")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(url)
    RoleAssignment.objects.create(user=user, role=Role.COMMAND_CENTER, area=tree.street_a)
    RoleAssignment.objects.create(user=user, role=Role.RESIDENT, area=tree.community_a)
    RoleAssignment.objects.create(user=user, role=Role.GRID_WORKER, area=tree.grid_a1)
    with django_assert_num_queries(len(before.captured_queries)):
        client.get(url)


def test_signed_out_pages_have_no_menu(client):
    html = Client().get(reverse("accounts:login")).content.decode()
    assert 'data-testid="menu"' not in html


def test_tab_rows_wrap_on_a_phone(client, people):
    """Every tab row uses the shared class that wraps (no tab hidden off screen)."""
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "linli" / "static" / "css" / "linli.css").read_text()
    rule = re.search(r"\.ll-tabrow \{([^}]*)\}", css).group(1)
    assert "flex-wrap: wrap" in rule
    html = page(client, people.resident, reverse("volunteering:index"))
    nav = re.search(r'<nav class="([^"]*)" aria-label="志愿服务"', html) or re.search(r'<nav class="(nav nav-pills ll-vol-nav[^"]*)"', html)
    assert "ll-tabrow" in nav.group(1) and "flex-nowrap" not in nav.group(1)
    assert 'class="ll-tabs ll-tabrow"' in page(client, people.resident, reverse("service_orders:menu"))
    assert "ll-tabrow" in page(client, people.resident, reverse("points:mine"))


# -- in a real browser, on a phone ---------------------------------------------------


def _signed_in_context(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context


def _open_menu(page):
    page.click(".navbar-toggler")
    page.wait_for_selector("#ll-nav.show")
    page.wait_for_timeout(400)  # the collapse animation, for the screenshot


@pytest.mark.browser
def test_phone_menu_for_a_resident_and_the_command_center(transactional_db, people, live_server, browser, output_dir):
    # A resident on a volunteering page: every tab on screen, the menu leads to 随手拍.
    context = _signed_in_context(browser, live_server, people.resident)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + reverse("volunteering:index"))
    tabs = page.locator("nav.ll-vol-nav a")
    assert tabs.count() >= 6
    for i in range(tabs.count()):
        box = tabs.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, tabs.nth(i).inner_text()
    assert page.locator("#ll-nav").is_hidden()  # collapsed behind ☰
    page.screenshot(path=str(output_dir / "resident-volunteering.png"), full_page=True)
    _open_menu(page)
    menu = page.locator('[data-testid="menu"]')
    for word in ("首页", "随手拍", "我的诉求", "志愿活动", "积分超市"):
        assert menu.locator("a.nav-link", has_text=word).is_visible(), word
    assert menu.locator("a.nav-link", has_text="揭榜领办").count() == 0
    page.screenshot(path=str(output_dir / "resident-menu.png"))
    menu.locator("a.nav-link", has_text="随手拍").click()
    page.wait_for_url(live_server.url + reverse("cases:report"))
    page.screenshot(path=str(output_dir / "resident-report.png"))
    context.close()

    # The command center on a service-order page: the menu holds its desk and the claim board.
    context = _signed_in_context(browser, live_server, people.street_dispatcher)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + reverse("service_orders:dispatch"))
    _open_menu(page)
    menu = page.locator('[data-testid="menu"]')
    for word in ("首页", "调度台", "揭榜领办", "民情台账", "12345工单"):
        assert menu.locator("a.nav-link", has_text=word).first.is_visible(), word
    assert menu.locator("a.nav-link", has_text="随手拍").count() == 0
    page.screenshot(path=str(output_dir / "command-center-menu.png"))
    menu.locator("a.nav-link", has_text="揭榜领办").click()
    page.wait_for_url(live_server.url + reverse("cases:board"))
    assert page.locator("h1").first.inner_text().strip()
    page.screenshot(path=str(output_dir / "command-center-board.png"), full_page=True)
    # Home again from the menu.
    _open_menu(page)
    page.locator('[data-menu="home"]').click()
    page.wait_for_url(live_server.url + reverse("home"))
    context.close()
    assert errors == []


def test_a_role_with_no_tiles_shows_no_empty_heading(client, personas, monkeypatch):
    # A role whose tiles are all gone (every role has some today) gets no bare heading on the home page.
    from linli.core import registry

    federation = personas.org_admin.role_assignments.get().organization
    judge = make_person("13900000099", "评委甲", Role.JUDGE, organization=federation)
    client.force_login(judge)
    assert 'data-section="role-judge"' in client.get("/").content.decode()  # "organizations I guide"
    monkeypatch.setattr(registry, "_TILES", {k: t for k, t in registry._TILES.items() if Role.JUDGE not in t.roles})
    html = client.get("/").content.decode()
    assert 'data-section="role-judge"' not in html
    client.force_login(personas.street_dispatcher)
    assert 'data-section="role-command_center"' in client.get("/").content.decode()
