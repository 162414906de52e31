"""A volunteer activity end to end in a real Chromium on a phone-sized screen: the volunteer signs up,
checks in and out by opening the venue's QR code, the leader approves the hours, and the volunteer
sees the points on "my hours", spends them in the points shop (积分超市) and gets the pickup code, and
issues their service certificate, whose QR code opens the public verification page. Screenshots go to test-output/<test name>/NN-step.png.

Time is the `clock` fixture (the live server runs in this process), so two hours pass in a moment.
"""

from datetime import timedelta

import pytest

from linli.accounts.actions import do_assign_role, validate_role_assignment
from linli.accounts.choices import Role, StaffTier
from linli.cases.tests.test_browser_flow import PHONE, Session, Shots
from linli.core.testing import make_person
from linli.points.actions import balance_of, check_save_reward
from linli.points.models import Redemption
from linli.volunteering.models import Attendance, ServiceCertificate

pytestmark = [pytest.mark.browser]


@pytest.fixture
def scene(transactional_db, clock, tree, make_activity, volunteer, leader):
    activity = make_activity(title="学雷锋 · 社区助老服务", capacity=5, starts_at=clock.now + timedelta(minutes=10),
                             branches=[{"name": "文安社区分会场", "capacity": 3}])
    # The volunteer lives in 坑内社区, whose staff stock the points shop.
    validate_role_assignment(volunteer.user, Role.RESIDENT, area=tree.community_a)
    do_assign_role(volunteer.user, Role.RESIDENT, area=tree.community_a)
    staff = make_person("13900000040", "社区干部乙", Role.COMMUNITY_STAFF, tree.community_a, tier=StaffTier.HEAD)
    check_save_reward(staff, {
        "name": "社区理发券", "description": "党群服务中心理发室，凭兑换码使用", "kind": "service", "cost": 15,
        "stock": 20, "per_person_limit": 1, "available_from": None, "available_until": None, "active": True,
        "community": tree.community_a, "provider": None})
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
    clock.advance(hours=2, minutes=10)  # in 10 minutes before the start: 2 h from it
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

    # 6. The volunteer spends the points in the community's points shop and gets a pickup code.
    phone.go("points:shop")
    page.wait_for_selector('[data-testid="reward"]')
    shot(page, "volunteer-points-shop")
    page.click('[data-testid="reward"] a')
    page.wait_for_selector('[data-testid="redeem-form"]')
    shot(page, "volunteer-redeem")
    page.click('[data-testid="redeem-form"] button[type="submit"]')
    page.wait_for_selector('[data-testid="redemption"][data-status="pending"] [data-testid="code"]')
    redemption = Redemption.objects.get()
    shown = page.inner_text('[data-testid="redemption"] [data-testid="code"]')
    assert shown.replace(" ", "") == redemption.code and balance_of(volunteer.user) == 5
    shot(page, "volunteer-pickup-code")

    # 7. The volunteer issues their service certificate; its QR code opens the public check.
    phone.go("volunteering:certificates")
    page.select_option('#id_organization', str(activity.organization_id))
    shot(page, "volunteer-certificate-form")
    page.click('[data-testid="issue-certificate"]')
    page.wait_for_selector('[data-testid="certificate"]')
    shot(page, "volunteer-certificates")
    certificate = ServiceCertificate.objects.get()
    assert page.inner_text('[data-testid="certificate-hours"]').startswith("2")
    anyone = Session(browser, url, **PHONE)
    anyone.page.goto(f"{url}/volunteering/certificates/verify/{certificate.token}/")
    assert anyone.page.inner_text('[data-testid="verify-number"]') == certificate.number
    shot(anyone.page, "public-certificate-check")
    anyone.close()
    phone.close()
    lead.close()
