"""The women's federation admin at a desk and on a phone: from the home tile to the organization
network, opening a branch of the tree, reading coverage and the people holding several offices,
and downloading the coverage as Excel. Screenshots go to test-output/<test name>/."""

import pytest

from linli.cases.tests.test_browser_flow import DESKTOP, PHONE, Session, Shots

from .test_network import network  # noqa: F401 — the fixture

pytestmark = [pytest.mark.browser]


def test_the_admin_reads_the_network_at_a_desk_and_on_a_phone(live_server, browser, output_dir,
                                                                 transactional_db, network):  # noqa: F811
    shot = Shots(output_dir)
    for label, options in (("desk", DESKTOP), ("phone", PHONE)):
        person = Session(browser, live_server.url, **options)
        page = person.page
        person.log_in_with_password(network["admin"].phone)
        page.click('.ll-card-link[href="/orgs/network/"]')
        page.wait_for_selector('[data-testid="network-tree"]')
        rows = page.locator('[data-testid="coverage-row"]')
        assert rows.count() >= 5
        assert page.inner_text('[data-testid="network-offices"]').count("洪晓琳") == 1
        page.click('summary:has-text("思明区妇联")')
        page.wait_for_selector('text=思明区社会组织妇联')
        shot(page, f"{label}-network")
        with page.expect_download() as download:
            page.click('[data-testid="export-coverage"]')
        assert download.value.suggested_filename.endswith(".xlsx") and "组织网络" in download.value.suggested_filename
        person.close()
