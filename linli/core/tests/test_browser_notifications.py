"""On a phone: the bell in the top bar shows the resident's unread count, the list opens from it,
following an entry goes to the case and the count drops. Screenshots in test-output/<test name>/."""

import pytest

from linli.cases.choices import CaseStatus
from linli.cases.tests.test_browser_flow import PHONE, Session, Shots, people  # noqa: F401 (a fixture)
from linli.core import outbox
from linli.core.models import Notification

pytestmark = [pytest.mark.browser]


def test_the_bell_on_a_phone(live_server, people, case_at, browser, output_dir):
    case = case_at(CaseStatus.RESOLVED)  # accepted, dispatched, dealt with: three notices
    outbox.relay_pending()
    assert Notification.objects.filter(user=people.resident, read_at__isnull=True).count() == 3
    shot = Shots(output_dir)
    resident = Session(browser, live_server.url, **PHONE)
    page = resident.page
    resident.log_in_with_code(people.resident.phone)

    bell = page.locator('[data-testid="notification-bell"]')
    assert bell.is_visible()  # in the bar, not hidden in the ☰ menu
    assert bell.locator('[data-testid="unread-count"]').inner_text() == "3"
    shot(page, "home-with-bell", full_page=False)

    bell.click()
    page.wait_for_url(live_server.url + "/notifications/")
    entries = page.locator('[data-testid="notification"]')
    assert entries.count() == 3
    assert page.locator('[data-testid="notification"][data-unread="1"]').count() == 3
    shot(page, "notification-list")

    entries.first.locator("a").click()  # the newest: the case was dealt with
    page.wait_for_url(live_server.url + f"/cases/{case.number}/")
    assert page.locator('[data-testid="notification-bell"] [data-testid="unread-count"]').inner_text() == "2"
    shot(page, "case-after-following", full_page=False)

    page.locator('[data-testid="notification-bell"]').click()
    page.wait_for_url(live_server.url + "/notifications/")
    assert page.locator('[data-testid="notification"][data-unread="1"]').count() == 2
    assert page.locator('[data-testid="notification"]').first.get_attribute("data-unread") == "0"
    page.click('[data-testid="read-all"]')
    page.wait_for_url(live_server.url + "/notifications/")
    assert page.locator('[data-testid="notification-bell"] [data-testid="unread-count"]').count() == 0
    page.click('[data-testid="notification-settings"]')
    page.wait_for_url(live_server.url + "/notifications/settings/")
    shot(page, "settings")
    resident.close()
