"""On a phone, in a real Chromium: the command center filters its queue with the "all" options
(no false error), opens the claim board it publishes to, searches the dispatch list; a
signed-out resident following a case link lands on the SMS sign-in and comes back to the case;
a grid worker locating a problem outside their grid is warned.
Screenshots go to test-output/<test name>/."""

import pytest
from django.urls import reverse

from linli.accounts.sms import MemorySmsBackend
from linli.cases.choices import CaseStatus
from linli.cases.testing import center_of
from linli.core.testing import code_from
from linli.orgs.actions import do_create_organization

from .test_browser_flow import PHONE, Session, Shots, people  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser]


def test_queue_board_and_a_residents_link_on_a_phone(live_server, people, tree, case_at, browser, output_dir):  # noqa: F811
    shot = Shots(output_dir)
    for name in ("坑内物业公司", "开元环卫公司", "开元绿化公司", "坑内社区党委", "开元燃气公司", "开元供水公司", "开元供电所", "开元路灯所"):
        do_create_organization(parent=None, name=name, kind="enterprise", area=tree.community_a)
    published = case_at(CaseStatus.ACCEPTED, publish=True)
    waiting = case_at(CaseStatus.ACCEPTED)

    center = Session(browser, live_server.url, **PHONE)
    page = center.page
    center.log_in_with_password(people.street_dispatcher.phone)
    # 1. the queue's filter sent as it comes ("全部渠道", every box empty): results, no error
    center.go("cases:queue")
    page.click("details.ll-filters summary")
    shot(page, "queue-filters-open", full_page=False)
    page.click('[data-testid="apply-filters"]')
    page.wait_for_load_state()
    assert "channel=" in page.url
    body = page.inner_text("body")
    assert "不在可用的选项中" not in body and "选择一个有效的选项" not in body
    assert page.locator(f'[data-number="{waiting.number}"]').count() == 1
    shot(page, "queue-filtered")

    # 2. the claim board it publishes to: the case is there, to watch, not to claim
    center.go("cases:board")
    assert page.locator(f'[data-number="{published.number}"]').count() == 1
    assert page.locator('[data-testid="quick-claim"]').count() == 0
    shot(page, "board-command-center")

    # 3. the dispatch list: grouped, the routing suggestion chosen, a box that narrows it
    center.go("cases:detail", waiting.number)
    if page.locator('[data-testid="open-dispatch"]').count():  # dispatch is a primary action: open already
        page.click('[data-testid="open-dispatch"]')
    page.wait_for_selector('[data-testid="dispatch-unit"]', state="visible")
    assert page.locator('[data-testid="dispatch-unit"]').input_value() == str(people.department.pk)
    page.fill('[data-testid="unit-search"]', "市政")
    names = page.locator('[data-testid="dispatch-unit"] option').all_inner_texts()
    assert "市政园林局" in names and "开元环卫公司" not in names
    assert page.locator('[data-testid="dispatch-unit"] optgroup').count() >= 1
    assert "妇联" not in page.inner_text('[data-testid="dispatch-unit"]')
    shot(page, "dispatch-list")
    center.close()

    # 4. a signed-out resident follows a link to their case: the SMS sign-in, then the case
    resident = Session(browser, live_server.url, **PHONE)
    page = resident.page
    case_url = reverse("cases:detail", args=[published.number])
    page.goto(live_server.url + case_url)
    page.wait_for_selector('[data-testid="request-code-form"]')
    assert page.locator('[data-testid="tab-code"].active').count() == 1
    shot(page, "signed-out-link-lands-on-sms")
    page.fill('[data-testid="request-code-form"] [name=phone]', people.resident.phone)
    page.click('[data-testid="request-code-form"] button[type=submit]')
    page.wait_for_selector('[data-testid="enter-code-form"]')
    page.fill('[data-testid="enter-code-form"] [name=code]', code_from(MemorySmsBackend.outbox, people.resident.phone))
    page.click('[data-testid="enter-code-form"] button[type=submit]')
    page.wait_for_url(live_server.url + case_url)
    shot(page, "back-on-the-case")
    # another resident's link or the staff queue: the project's own page with a way home
    page.goto(live_server.url + reverse("cases:queue"))
    assert page.locator('[data-testid="error-404"]').count() == 1
    shot(page, "queue-is-not-for-residents")
    resident.close()

    # 5. a grid worker on rounds locates a problem in the next grid: warned, and may still send it
    lat, lng = center_of(tree.grid_a2)
    worker = Session(browser, live_server.url, geolocation={"latitude": lat, "longitude": lng, "accuracy": 8}, **PHONE)
    page = worker.page
    worker.log_in_with_password(people.grid_worker.phone)
    worker.go("cases:patrol")
    assert page.locator('[data-testid="outside-grid"]').is_hidden()
    page.click('[data-testid="use-location"]')
    page.wait_for_selector('[data-testid="outside-grid"]', state="visible")
    assert page.locator('[data-testid="submit-report"]').is_enabled()
    shot(page, "patrol-outside-own-grid", full_page=False)
    lat, lng = center_of(tree.grid_a1)
    # the worker drags the pin into their own grid (what the map's dragend does)
    page.evaluate("""([lat, lng]) => {
        const form = document.getElementById("report-form");
        form.querySelector("[name=lat]").value = lat; form.querySelector("[name=lng]").value = lng;
        document.dispatchEvent(new CustomEvent("ll-location"));
    }""", [f"{lat:.6f}", f"{lng:.6f}"])
    page.wait_for_selector('[data-testid="outside-grid"]', state="hidden")
    worker.close()
