"""End to end in a real Chromium: log in as the demo command center, open the 15-grid community map.

Uses Debian's chromium (/usr/bin/chromium, installed by .ci/run with fonts-noto-cjk);
never `playwright install`. Screenshots go to test-output/<test name>/.
"""

import os

import pytest
from django.core.management import call_command
from django.urls import reverse

from linli.site.demo import data as demo


# No skip when Chromium is missing: `make test` installs it, and a silent skip would hide a broken set-up.
pytestmark = [pytest.mark.browser]


def demo_account(role):
    phone, name, *_rest = next(row for row in demo.ACCOUNTS if row[2] == role)
    return phone, name


@pytest.fixture
def demo_data(transactional_db):
    call_command("load_demo", stdout=open(os.devnull, "w"))


def log_in(page, base_url, phone, password):
    page.goto(base_url + reverse("accounts:login"))
    page.fill("#id_username", phone)
    page.fill("#id_password", password)
    page.click('[data-testid="staff-login-form"] button[type=submit]')
    page.wait_for_url(base_url + reverse("home"))


def test_command_center_opens_the_community_map(live_server, demo_data, browser, output_dir):
    phone, name = demo_account("command_center")
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Nothing may leave the machine: every request goes to the live server.
    outside = []
    page.on("request", lambda req: None if req.url.startswith(live_server.url) else outside.append(req.url))

    log_in(page, live_server.url, phone, demo.DEMO_PASSWORD)
    assert page.locator('[data-testid="user-name"]').inner_text().strip().endswith(name)
    assert page.locator('[data-home="staff"]').count() == 1
    page.screenshot(path=str(output_dir / "home.png"), full_page=True)

    # From the home page to the street, then to the 15-grid community.
    page.click(f'a[href="{reverse("places:area_detail", args=[demo.KAIYUAN])}"]')
    page.click(f'a[href="{reverse("places:area_detail", args=[demo.GRID_COMMUNITY])}"]')
    page.wait_for_selector("#area-map[data-ready='1']")
    page.wait_for_timeout(300)  # let the label tooltips settle for the screenshot

    grids = demo.GRID_COLUMNS * demo.GRID_ROWS
    assert page.locator(".leaflet-overlay-pane path").count() == grids == 15
    assert page.locator(".leaflet-tooltip.ll-grid-label").count() == grids
    assert page.locator(".leaflet-tile").count() == 0  # blank base, no tile server
    assert "第一网格" in page.locator(".leaflet-tooltip-pane").inner_text()
    assert page.locator("h1").inner_text() == "坑内社区"
    page.screenshot(path=str(output_dir / "community-map.png"), full_page=True)

    # Clicking a grid opens its popup with name and code.
    page.locator(".leaflet-overlay-pane path").nth(0).click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert demo.GRID_COMMUNITY in popup.inner_text()
    page.screenshot(path=str(output_dir / "community-map-popup.png"))

    assert errors == []
    assert outside == []
    context.close()


def test_phone_layout(live_server, demo_data, browser, output_dir):
    """The same pages on a phone-sized screen: the menu collapses, the map fills the width."""
    phone, _name = demo_account("grid_worker")
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(live_server.url + reverse("home"))
    page.screenshot(path=str(output_dir / "landing.png"), full_page=True)
    assert page.locator('[data-testid="login-resident"]').is_visible()

    log_in(page, live_server.url, phone, demo.DEMO_PASSWORD)
    assert page.locator('[data-home="field"]').count() == 1
    page.screenshot(path=str(output_dir / "home.png"), full_page=True)

    page.locator('[data-testid="my-grid"]').first.click()
    page.wait_for_selector("#area-map[data-ready='1']")
    assert page.locator(".leaflet-overlay-pane path").count() == 1
    page.screenshot(path=str(output_dir / "grid-map.png"), full_page=True)
    context.close()
