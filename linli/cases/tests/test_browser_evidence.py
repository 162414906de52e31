"""On a phone, in a real Chromium: the 随手拍 map without MAP_TILE_URL shows the grids outlined and
named with the community's name over them; a grid worker verifies a fix with a photo taken on
site, and the case page shows the before and after photos side by side; the ledger reads on a phone.

Screenshots go to test-output/<test name>/NN-step.png.
"""

import pytest
from django.urls import reverse

from linli.cases.models import CasePhoto

from .test_browser_flow import PHONE, Session, Shots, people, photo  # noqa: F401 (people: a fixture)

pytestmark = [pytest.mark.browser]


def test_offline_map_labels_and_verification_photos(live_server, people, tree, case_at, photo_file,  # noqa: F811
                                                    browser, output_dir, tmp_path, settings):
    settings.MAP_TILE_URL = ""
    shot = Shots(output_dir)

    # 1. A resident without GPS: the map has no tiles, yet shows the community's outlines and name
    #    (grid names are a staff word: the resident's map does not write them).
    resident = Session(browser, live_server.url, **PHONE)
    page = resident.page
    resident.log_in_with_code(people.resident.phone)
    resident.go("cases:report")
    page.wait_for_selector("#report-map[data-ready='1']")
    page.locator("#report-map").scroll_into_view_if_needed()
    assert page.locator(".leaflet-tile").count() == 0  # no base layer at all
    assert page.locator("#report-map .ll-grid-label").count() == 0
    assert page.locator("#report-map .ll-area-label").inner_text() == "坑内社区"
    assert page.locator("#report-map .ll-area-label").is_visible()  # written on, not on hover
    assert page.locator("#report-map path.leaflet-interactive").count() == 2  # the outlines
    assert page.locator('[data-testid="map-outline-hint"]').is_visible()
    shot(page, "report-map-without-tiles", full_page=False)
    # the resident taps inside the second grid: the pin lands where they tapped
    box = page.locator("#report-map path.leaflet-interactive").nth(1).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 + 14)
    page.wait_for_selector("#report-map[data-pinned='1']")
    assert page.input_value("[name=lat]") and page.input_value("[name=lng]")
    resident.close()

    # 2. A grid worker verifies a fix on site with a photo.
    case = case_at("resolved", photos=[photo_file("report.jpg", size=(640, 480))])
    worker = Session(browser, live_server.url, **PHONE)
    page = worker.page
    worker.log_in_with_code(people.grid_worker.phone)
    worker.go("cases:detail", case.number)
    page.wait_for_selector('[data-testid="do-verify"]')
    page.set_input_files('[data-testid="verify-photos"]', photo(tmp_path / "site.jpg", "on site", colors=((120, 170, 120), (70, 70, 70))))
    page.wait_for_selector('[data-evidence] [data-evidence-previews] img')
    page.fill("#id_verify-note", "现场查看，井盖已更换牢固")
    shot(page, "verify-with-photo")
    page.click('[data-testid="do-verify"]')
    page.wait_for_selector('[data-testid="before-after"]')
    assert worker.status() == "verified"
    check = CasePhoto.objects.filter(case=case, event__action="verify")
    assert check.count() == 1

    # 3. Before and after, side by side on the phone.
    before = page.locator('[data-testid="photos-before"]').bounding_box()
    after = page.locator('[data-testid="photos-after"]').bounding_box()
    assert abs(before["y"] - after["y"]) < 2 and after["x"] >= before["x"] + before["width"]
    assert after["x"] + after["width"] <= 390
    assert page.locator('[data-testid="photos-check"] img').count() == 1
    assert page.locator('[data-testid="photos-fix"] img').count() == 1
    for img in page.locator('[data-testid="before-after"] img').all():
        assert img.evaluate("i => i.complete && i.naturalWidth > 0")
    page.locator('[data-testid="before-after"]').scroll_into_view_if_needed()
    shot(page, "case-before-after", full_page=False)
    shot(page, "case-page")
    worker.close()

    # 4. The ledger on the phone: the rate with its due and late counts, the rule under "?", and the
    # category column on one line (it wrapped one character per line).
    desk = Session(browser, live_server.url, **PHONE)
    page = desk.page
    desk.log_in_with_code(people.street_dispatcher.phone)
    desk.go("cases:ledger")
    page.wait_for_selector('[data-testid="by-category"]')
    page.click('[data-testid="on-time-rule"] summary')
    assert page.locator('[data-testid="on-time-rule"] .ll-help-body').is_visible()
    assert page.locator('[data-kpi="due"]').inner_text() == "0"
    name = page.locator('[data-testid="by-category"] tbody th').first
    line = float(name.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 20"))
    assert name.bounding_box()["height"] < 2 * line + 16  # one line, padding included
    shot(page, "ledger-on-a-phone")
    desk.close()
