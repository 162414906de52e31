"""A volunteer activity end to end in a real Chromium on a phone-sized screen: the volunteer signs up,
checks in and out by opening the venue's QR code, the leader approves the hours, and the volunteer
sees the points on "my hours". Screenshots go to test-output/<test name>/NN-step.png.

Time is the `clock` fixture (the live server runs in this process), so two hours pass in a moment.
"""

from datetime import timedelta

import pytest

from linli.cases.tests.test_browser_flow import PHONE, Session, Shots
from linli.points.actions import balance_of
from linli.volunteering.models import Attendance

pytestmark = [pytest.mark.browser]


@pytest.fixture
def scene(transactional_db, clock, make_activity, volunteer, leader):
    activity = make_activity(title="学雷锋 · 社区助老服务", capacity=5, starts_at=clock.now + timedelta(minutes=10),
                             branches=[{"name": "文安社区分会场", "capacity": 3}])
    return activity, volunteer, leader


def test_sign_up_check_in_by_qr_approve_and_see_points(live_server, browser, output_dir, clock, scene):
    activity, volunteer, leader = scene
    shot, url = Shots(output_dir), live_server.url

    # 1. The volunteer finds the activity on the phone and signs up.
    phone = Session(browser, url, **PHONE)
    page = phone.page
    phone.log_in_with_password(volunteer.user.phone)
    phone.go("volunteering:index")
    page.wait_for_selector(f'[data-testid="activity"][data-id="{activity.pk}"]')
    shot(page, "volunteer-activities")
    page.click(f'[data-testid="activity"][data-id="{activity.pk}"] a')
    page.click('[data-testid="signup"]')
    page.wait_for_selector('[data-testid="my-signup"][data-status="confirmed"]')
    shot(page, "volunteer-signed-up")

    # 2. At the venue the leader shows the check-in code on a phone.
    lead = Session(browser, url, **PHONE)
    lead.log_in_with_password(leader.phone)
    lead.go("volunteering:roster", activity.pk)
    lead.page.click('[data-testid="show-qr"] >> nth=0')
    lead.page.wait_for_selector('[data-testid="qr"] svg')
    shot(lead.page, "leader-qr")

    def scan():
        lead.page.reload()
        scan_url = lead.page.get_attribute('[data-testid="qr"]', "data-scan-url")
        assert scan_url.startswith(url + "/volunteering/scan/")
        page.goto(scan_url)  # what the phone camera opens
        page.click('[data-testid="scan-submit"]')
        page.wait_for_selector('[data-testid="scan-result"]')

    # 3. The volunteer scans in, serves two hours, scans out.
    scan()
    shot(page, "volunteer-checked-in")
    clock.advance(hours=2)
    scan()
    shot(page, "volunteer-checked-out")
    assert Attendance.objects.get().hours == 2

    # 4. The leader verifies the hours with the bulk approval.
    lead.go("volunteering:roster", activity.pk)
    lead.page.wait_for_selector('[data-testid="bulk-approve"]')
    shot(lead.page, "leader-verify")
    lead.page.click('[data-testid="bulk-approve"]')
    lead.page.wait_for_selector('.alert-success')
    shot(lead.page, "leader-approved")
    assert balance_of(volunteer.user) == 20

    # 5. The volunteer sees the points on "my hours".
    phone.go("volunteering:hours")
    assert page.inner_text('[data-testid="points-balance"]') == "20"
    assert page.inner_text('[data-testid="hours-points"]') == "+20"
    shot(page, "volunteer-my-hours")
    phone.close()
    lead.close()
