"""A guide on a phone ticks the first of the six steps with a photo for a new federation; the
city federation's admin at a desk sees it as 1 / 6 and downloads the progress. Screenshots go to
test-output/<test name>/."""

import pytest

from linli.cases.tests.test_browser_flow import DESKTOP, PHONE, Session, Shots
from linli.core.moments import demo_photo

from .test_six_ones import city, start  # noqa: F401 — the fixture

pytestmark = [pytest.mark.browser]


def test_a_guide_ticks_a_step_on_a_phone_and_the_admin_sees_it(live_server, browser, output_dir, transactional_db,
                                                               city, tmp_path):  # noqa: F811
    start(city)
    name, content = demo_photo("meeting.jpg", (180, 40, 45))
    photo = tmp_path / name
    photo.write_bytes(content)
    shot = Shots(output_dir)

    guide = Session(browser, live_server.url, **PHONE)
    page = guide.page
    guide.log_in_with_password(city["guide"].phone)
    page.click('.ll-card-link[href="/onboarding/mine/"]')
    page.click('[data-testid="guided"] >> text=厦门市互联网行业妇联')
    page.check('[data-testid="step"] >> nth=0 >> input[type=checkbox]')
    page.set_input_files('[data-testid="step"] >> nth=0 >> input[type=file]', str(photo))
    page.fill('[data-testid="step"] >> nth=0 >> input[name^="note_"]', "3月5日在软件园召开，12人参加")
    page.click('[data-testid="save"]')
    page.wait_for_selector('[data-testid="evidence"]')
    shot(page, "guide-ticked")
    page.click('[data-testid="submit-all"]')  # five steps still open: refused, nothing lost
    page.wait_for_selector('[data-testid="sheet-error"]')
    assert page.locator('[data-testid="evidence"]').count() == 1
    shot(page, "guide-not-yet")
    guide.close()

    admin = Session(browser, live_server.url, **DESKTOP)
    page = admin.page
    admin.log_in_with_password(city["admin"].phone)
    page.click('.ll-card-link[href="/onboarding/"]')
    row = page.locator('[data-testid="progress"]', has_text="厦门市互联网行业妇联")
    assert row.get_attribute("data-done") == "1" and "苏雅琴" in row.inner_text()
    shot(page, "admin-progress")
    with page.expect_download() as download:
        page.click('[data-testid="export-round"]')
    assert download.value.suggested_filename.endswith(".xlsx")
    admin.close()
