"""A case end to end in a real Chromium (Debian's /usr/bin/chromium, never `playwright install`):
a resident reports a problem with a photo from a phone, the command center accepts and
dispatches it, the unit signs and resolves it with a photo of the fix, the grid worker
verifies it on site, the command center closes it and the resident rates it.

Screenshots of every step go to test-output/<test name>/NN-step.png.
"""

import pytest
from django.urls import reverse
from PIL import Image, ImageDraw

from linli.accounts.sms import MemorySmsBackend
from linli.cases.models import Case
from linli.cases.testing import center_of
from linli.core.testing import code_from

PASSWORD = "pass-for-tests-1"  # the personas' password (linli.core.testing)
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

pytestmark = [pytest.mark.browser]


def photo(path, text, colors=((196, 160, 120), (90, 90, 96))):
    """A real JPEG, as a phone would send: a road with a manhole cover."""
    image = Image.new("RGB", (1200, 900), colors[0])
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 500, 1200, 900), fill=colors[1])
    draw.ellipse((450, 560, 750, 760), fill=(60, 60, 60), outline=(30, 30, 30), width=12)
    draw.text((40, 40), text, fill=(255, 255, 255))
    image.save(path, "JPEG", quality=85)
    return str(path)


class Shots:
    """Numbered full-page screenshots: 01-resident-home.png, 02-…"""

    def __init__(self, directory):
        self.directory, self.n = directory, 0

    def __call__(self, page, name, full_page=True):
        self.n += 1
        if full_page:
            # A full-page picture cannot show a sticky bar where the phone shows it: draw it in the flow.
            page.add_style_tag(content=".ll-submit-bar, .ll-topbar, .ll-bulk { position: static !important; }")
            page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(200)  # fonts and the map settle
        page.screenshot(path=str(self.directory / f"{self.n:02d}-{name}.png"), full_page=full_page)


def fill_walk_in(page, who, category, area, description, address):
    """The walk-in form (来访来电登记): the resident's name and phone, what, where; no pin."""
    page.wait_for_selector("#report-map[data-ready='1']")
    page.fill("#id_reporter_name", who[0])
    page.fill("#id_reporter_phone", who[1])
    page.select_option('[data-testid="category"]', str(category.pk))
    page.fill("#id_description", description)
    page.fill("#id_address", address)
    page.select_option('[data-testid="area"]', area.code)


class Session:
    """One browser context per person, with the checks every page must pass."""

    def __init__(self, browser, base_url, geolocation=None, **options):
        extra = {"geolocation": geolocation, "permissions": ["geolocation"]} if geolocation else {}
        self.context = browser.new_context(locale="zh-CN", **options, **extra)
        self.page = self.context.new_page()
        self.base_url = base_url
        self.errors, self.outside = [], []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        # Nothing may leave the machine: every request goes to the live server.
        self.page.on("request", lambda r: None if r.url.startswith(base_url) or r.url.startswith(("blob:", "data:"))
                     else self.outside.append(r.url))

    def go(self, name, *args):
        self.page.goto(self.base_url + reverse(name, args=args))

    def log_in_with_password(self, phone):
        self.go("accounts:login")
        self.page.fill("#id_username", phone)
        self.page.fill("#id_password", PASSWORD)
        self.page.click('[data-testid="staff-login-form"] button[type=submit]')
        self.page.wait_for_url(self.base_url + reverse("home"))

    def log_in_with_code(self, phone):
        self.go("accounts:login_code")
        self.page.fill('[data-testid="request-code-form"] [name=phone]', phone)
        self.page.click('[data-testid="request-code-form"] button[type=submit]')
        self.page.wait_for_selector('[data-testid="enter-code-form"]')
        self.page.fill('[data-testid="enter-code-form"] [name=code]', code_from(MemorySmsBackend.outbox, phone))
        self.page.click('[data-testid="enter-code-form"] button[type=submit]')
        self.page.wait_for_url(self.base_url + reverse("home"))

    def status(self):
        return self.page.get_attribute('[data-testid="case-status"]', "data-status")

    def close(self):
        assert self.errors == [], self.errors
        assert self.outside == [], self.outside
        self.context.close()


@pytest.fixture
def people(transactional_db, tree, personas, categories, routing_rules, settings):
    settings.SMS_BACKEND = "linli.accounts.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    yield personas
    MemorySmsBackend.outbox.clear()


def test_a_case_from_photo_to_rating(live_server, people, tree, categories, browser, output_dir, tmp_path):
    shot = Shots(output_dir)
    url = live_server.url
    lat, lng = center_of(tree.grid_a1)

    # 1. The resident, on a phone, reports a loose manhole cover with a photo and the phone's location.
    resident = Session(browser, url, geolocation={"latitude": lat, "longitude": lng, "accuracy": 8}, **PHONE)
    page = resident.page
    resident.log_in_with_code(people.resident.phone)
    shot(page, "resident-home")
    page.click(f'main a[href="{reverse("cases:report")}"]')
    page.wait_for_selector("#report-map[data-ready='1']")
    page.set_input_files('[data-testid="photo-input"]', photo(tmp_path / "manhole.jpg", "manhole"))
    page.wait_for_selector(".ll-photo-cell img")
    page.click('[data-testid="use-location"]')
    page.wait_for_selector("#report-map[data-pinned='1']")
    page.select_option('[data-testid="category"]', str(categories.manhole.pk))
    page.fill("#id_description", "小区东门口的井盖松动了，踩上去会晃，晚上很危险")
    page.fill("#id_address", "坑内路12号东门")
    shot(page, "resident-report-form")
    assert page.input_value("[name=lat]").startswith(f"{lat:.4f}")
    page.click('[data-testid="submit-report"]')
    page.wait_for_selector('[data-testid="case-number"]')
    case = Case.objects.get()
    assert case.reporter == people.resident and case.area == tree.grid_a1 and case.photos.count() == 1
    assert resident.status() == "reported"
    shot(page, "resident-reported")

    # 2. The command center accepts it and dispatches it to the routed unit.
    center = Session(browser, url, **DESKTOP)
    page = center.page
    center.log_in_with_password(people.street_dispatcher.phone)
    center.go("cases:queue")
    page.wait_for_selector(f'[data-testid="case-row"][data-number="{case.number}"]')
    shot(page, "center-queue")
    page.click(f'[data-testid="case-row"][data-number="{case.number}"] a')
    page.wait_for_selector("#case-map[data-ready='1']")
    shot(page, "center-case")
    page.click('[data-testid="do-accept"]')
    page.wait_for_selector('[data-testid="do-dispatch"]')
    assert center.status() == "accepted"
    assert page.input_value('[data-testid="dispatch-unit"]') == str(people.department.pk)  # the routed unit
    page.fill("#id_dispatch-note", "请今天内处理，注意安全")
    page.click('[data-testid="do-dispatch"]')
    page.wait_for_selector('[data-status="dispatched"]')
    shot(page, "center-dispatched")

    # 3. The unit signs for it, fixes it and reports back with a photo of the fix.
    unit = Session(browser, url, **PHONE)
    page = unit.page
    unit.log_in_with_password(people.department_handler.phone)
    unit.go("cases:inbox")
    page.wait_for_selector(f'[data-number="{case.number}"] [data-testid="quick-sign"]')
    shot(page, "unit-inbox")
    page.click(f'[data-number="{case.number}"] [data-testid="quick-sign"]')
    page.wait_for_selector('[data-testid="do-resolve"]')
    assert unit.status() == "in_progress"
    page.fill("#id_resolve-note", "已更换新井盖并加固，现场已清理")
    page.set_input_files('[data-testid="resolve-photos"]',
                         photo(tmp_path / "fixed.jpg", "fixed", colors=((170, 200, 150), (80, 80, 80))))
    shot(page, "unit-resolve-form")
    page.click('[data-testid="do-resolve"]')
    page.wait_for_selector('[data-status="resolved"]')
    shot(page, "unit-resolved")

    # 4. The grid worker checks on site, on a phone.
    worker = Session(browser, url, **PHONE)
    page = worker.page
    worker.log_in_with_password(people.grid_worker.phone)
    worker.go("cases:tasks")
    page.wait_for_selector(f'[data-number="{case.number}"] img.ll-row-thumb')
    shot(page, "grid-worker-tasks")
    page.click(f'[data-number="{case.number}"] a')
    page.wait_for_selector('[data-testid="do-verify"]')
    page.locator('.ll-timeline [data-action="resolve"] a.ll-thumb').click()
    page.wait_for_selector("#photo-modal.show img[src]")
    shot(page, "grid-worker-evidence-photo", full_page=False)
    page.click("#photo-modal .btn-close")
    page.wait_for_selector("#photo-modal", state="hidden")
    page.fill("#id_verify-note", "现场查看，井盖已更换牢固")
    page.click('[data-testid="do-verify"]')
    page.wait_for_selector('[data-status="verified"]')
    shot(page, "grid-worker-verified")

    # 5. The command center closes it.
    page = center.page
    center.go("cases:detail", case.number)
    page.click('[data-testid="do-close"]')
    page.wait_for_selector('[data-status="closed"]')
    shot(page, "center-closed")

    # 6. The resident sees the whole story and rates it.
    page = resident.page
    resident.go("cases:mine")
    page.wait_for_selector('[data-testid="rate-cta"]')
    shot(page, "resident-my-reports")
    page.click(f'[data-testid="my-report"][data-number="{case.number}"] a')
    page.wait_for_selector('[data-testid="action-rate"]')
    page.click('[data-testid="star-5"]')
    page.fill("#id_rate-comment", "处理很快，谢谢社区！")
    shot(page, "resident-rate")
    page.click('[data-testid="do-rate"]')
    page.wait_for_selector(".ll-stars-static")
    shot(page, "resident-rated")

    case.refresh_from_db()
    assert (case.status, case.rating, case.rating_comment) == ("closed", 5, "处理很快，谢谢社区！")
    assert [e.action for e in case.events.order_by("id")] == [
        "report", "accept", "dispatch", "sign", "resolve", "verify", "close", "rate"]
    assert case.photos.count() == 2
    for session in (resident, center, unit, worker):
        session.close()


def test_a_neighbour_follows_instead_of_reporting_again(live_server, people, tree, categories, report, browser,
                                                        output_dir, tmp_path):
    """The duplicate check: same category within 50 m shows the open case, and one tap follows it."""
    shot = Shots(output_dir)
    existing = report(category=categories.manhole, address="坑内路12号东门")
    lat, lng = center_of(tree.grid_a1)
    neighbour = Session(browser, live_server.url, geolocation={"latitude": lat + 0.0002, "longitude": lng}, **PHONE)
    page = neighbour.page
    neighbour.log_in_with_code(people.outsider.phone)
    neighbour.go("cases:report")
    page.wait_for_selector("#report-map[data-ready='1']")
    page.set_input_files('[data-testid="photo-input"]', photo(tmp_path / "again.jpg", "again"))
    page.click('[data-testid="use-location"]')
    page.select_option('[data-testid="category"]', str(categories.manhole.pk))
    page.wait_for_selector('[data-testid="duplicate"]')
    page.locator('[data-testid="duplicates"]').scroll_into_view_if_needed()
    shot(page, "duplicate-suggested")
    page.click('[data-testid="follow-duplicate"]')
    page.wait_for_url(live_server.url + reverse("cases:detail", args=[existing.number]))
    shot(page, "following")
    assert Case.objects.count() == 1 and existing.followers.filter(user=people.outsider).exists()
    assert "居民甲" not in page.content()  # a neighbour never learns who reported it
    neighbour.close()


def test_desk_pages_on_a_desktop(live_server, people, tree, categories, case_at, report, browser, output_dir):
    """The command center's desk: a walk-in report, the queue with filters, bulk dispatch, the ledger."""
    shot = Shots(output_dir)
    for status in ("closed", "resolved", "dispatched", "reported", "rejected"):
        case_at(status)
    ready = [case_at("accepted", category=categories.street_order), case_at("accepted", grid=tree.grid_a2)]
    center = Session(browser, live_server.url, **DESKTOP)
    page = center.page
    center.log_in_with_password(people.street_dispatcher.phone)
    shot(page, "center-home")

    # A resident on the phone: address and community, no pin.
    center.go("cases:walk_in")
    fill_walk_in(page, ("李先生", "13811112222"), categories.dispute, tree.community_a,
                 "楼上卫生间漏水到我家，协商多次未果，希望社区出面调解", "坑内路8号302室")
    shot(page, "walk-in-form")
    page.click('[data-testid="submit-report"]')
    page.wait_for_selector('[data-testid="case-number"]')
    walk_in = Case.objects.get(channel="walk_in")
    assert walk_in.reporter_name == "李先生" and walk_in.lat is None

    # The queue: accepted cases, two selected and dispatched at once.
    center.go("cases:queue")
    page.click('[data-status="accepted"]')
    page.wait_for_selector('[data-testid="case-row"]')
    page.click(".ll-filters summary")
    for case in ready:
        page.check(f'[data-number="{case.number}"] [data-testid="select-case"]')
    page.select_option('[data-testid="bulk-unit"]', str(people.department.pk))
    shot(page, "queue-bulk-dispatch")
    page.click('[data-testid="bulk-dispatch"]')
    page.wait_for_selector('[data-testid="bulk-results"]')
    assert page.locator('[data-testid="bulk-result"][data-ok="1"]').count() == 2
    shot(page, "bulk-dispatch-results")

    center.go("cases:ledger")
    page.wait_for_selector('[data-testid="by-category"]')
    assert page.inner_text('[data-kpi="collected"]') == "8"
    shot(page, "ledger")
    with page.expect_download() as download:
        page.click('[data-testid="ledger-export"]')
    assert download.value.suggested_filename.startswith("民情台账_开元街道_")
    center.close()
