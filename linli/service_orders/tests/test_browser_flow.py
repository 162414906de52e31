"""A service order end to end in a real Chromium on a phone-sized screen (点单 → 派单 → 接单 → 评单):
the resident orders from the community's menu, the community dispatcher dispatches it to a team,
the team leader accepts it, sends a volunteer, marks it done with a photo of the work (a real
file upload) and records the hours, the resident rates it; the volunteer sees the points and
everyone sees the timeline. Screenshots go to test-output/<test name>/NN-step.png.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.accounts.sms import MemorySmsBackend
from linli.cases.tests.test_browser_flow import PHONE, Session, Shots, photo
from linli.points.actions import balance_of
from linli.points.models import PointsEntry
from linli.service_orders import actions
from linli.service_orders.choices import POINTS_PER_HOUR
from linli.service_orders.models import ServiceOrder

pytestmark = [pytest.mark.browser]

TIMELINE = ["order", "dispatch", "accept", "assign", "complete", "record_hours", "rate"]


@pytest.fixture
def scene(transactional_db, tree, personas, team, leader, members, offering, settings, tmp_path):
    settings.SMS_BACKEND = "linli.accounts.sms.MemorySmsBackend"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    MemorySmsBackend.outbox.clear()
    yield personas
    MemorySmsBackend.outbox.clear()


def timeline(page):
    return page.eval_on_selector_all('[data-testid="timeline"] [data-testid="event"]',
                                     "items => items.map(item => item.dataset.action)")


def test_order_dispatch_accept_finish_and_rate(live_server, browser, output_dir, tmp_path, scene, team, leader,
                                               members, offering):
    people, url, shot = scene, live_server.url, Shots(output_dir)
    volunteer = members[0]
    start = timezone.localtime() + timedelta(days=1)

    # 1. 点单: the resident logs in with a code on the phone and orders from the community's menu.
    resident = Session(browser, url, **PHONE)
    page = resident.page
    resident.log_in_with_code(people.resident.phone)
    resident.go("service_orders:menu")
    page.wait_for_selector('[data-testid="service-menu"]')
    shot(page, "resident-menu")
    page.click(f'[data-testid="service-menu"] a[href*="offering={offering.pk}"]')
    page.wait_for_selector('[data-testid="order-form"]')
    assert page.input_value("#id_offering") == str(offering.pk)
    page.fill("#id_address", "坑内路 12 号 301")
    page.fill("#id_starts_at", start.strftime("%Y-%m-%dT09:00"))
    page.fill("#id_ends_at", start.strftime("%Y-%m-%dT11:00"))
    page.fill("#id_notes", "厨房和卫生间需要打扫，家里有老人。")
    shot(page, "resident-order-form")
    page.click('[data-testid="submit-order"]')
    page.wait_for_selector('[data-testid="order-status"]')
    order = ServiceOrder.objects.get()
    assert order.status == "ordered" and order.offering == offering and order.resident == people.resident
    shot(page, "resident-ordered")

    # 2. 派单: the community dispatcher finds it on the dispatch desk and sends it to the team.
    desk = Session(browser, url, **PHONE)
    desk.log_in_with_password(people.community_staff.phone)
    desk.go("service_orders:dispatch")
    link = f'a[href="{reverse("service_orders:detail", args=[order.pk])}"]'
    desk.page.wait_for_selector(f'[data-testid="order-row"][data-status="ordered"] {link}')
    shot(desk.page, "dispatcher-desk")
    desk.page.click(link)
    desk.page.select_option('[data-testid="action-dispatch"] select[name=team]', str(team.pk))
    shot(desk.page, "dispatcher-dispatch")
    desk.page.click('[data-testid="action-dispatch"] button[type=submit]')
    desk.page.wait_for_selector(".alert-success")
    order.refresh_from_db()
    assert order.status == "dispatched" and order.team == team

    # 3. 接单: the team leader accepts it, sends a volunteer, finishes with a photo and records the hours.
    lead = Session(browser, url, **PHONE)
    page = lead.page
    lead.log_in_with_password(leader.phone)
    lead.go("service_orders:team")
    page.wait_for_selector('[data-testid="orders"] [data-testid="order-row"][data-status="dispatched"]')
    shot(page, "leader-team-orders")
    page.click(f'[data-testid="orders"] {link}')
    page.click('[data-testid="action-accept"] button[type=submit]')
    page.wait_for_selector('[data-testid="action-assign"]')
    page.check(f'[data-testid="action-assign"] input[name=volunteers][value="{volunteer.pk}"]')
    shot(page, "leader-assign")
    page.click('[data-testid="action-assign"] button[type=submit]')
    page.wait_for_selector('[data-testid="action-complete"]')
    # Done before the booked start (tomorrow 09:00) is refused, and the order stays accepted.
    page.click('[data-testid="action-complete"] button[type=submit]')
    page.wait_for_selector(".alert-danger")
    assert "09:00" in page.inner_text(".alert-danger")
    order.refresh_from_db()
    assert order.status == "accepted"
    # The day comes: the booking is moved to the present (the test's clock; the server's is real).
    ServiceOrder.objects.filter(pk=order.pk).update(starts_at=timezone.now() - timedelta(hours=1),
                                                    ends_at=timezone.now() + timedelta(hours=1))
    page.reload()
    page.wait_for_selector('[data-testid="action-complete"]')
    page.fill('[data-testid="action-complete"] textarea[name=note]', "厨房、卫生间已打扫干净，垃圾已带走。")
    page.set_input_files('[data-testid="action-complete"] input[type=file]', photo(tmp_path / "done.jpg", "done"))
    shot(page, "leader-complete")
    page.click('[data-testid="action-complete"] button[type=submit]')
    page.wait_for_selector(f'[data-testid="action-record_hours"] input[name="hours_{volunteer.pk}"]')
    page.fill(f'[data-testid="action-record_hours"] input[name="hours_{volunteer.pk}"]', "2")
    shot(page, "leader-record-hours")
    page.click('[data-testid="action-record_hours"] button[type=submit]')
    page.wait_for_selector(".alert-success")
    order.refresh_from_db()
    assert order.status == "done" and order.photos.count() == 1
    assert balance_of(volunteer) == 2 * POINTS_PER_HOUR
    # the photo of the work shows on the page (served to those who may see the order)
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=event-photo]')]"
                           ".every(image => image.complete && image.naturalWidth > 0)")
    shot(page, "leader-done")

    # 4. 评单: the resident rates the service and sees the whole timeline.
    page = resident.page
    resident.go("service_orders:detail", order.pk)
    assert page.get_attribute('[data-testid="event-photo"]', "src").startswith("/service-orders/photos/")
    # The same tap-stars as a case's rating, nothing chosen until the resident taps.
    assert page.eval_on_selector_all('[data-testid="action-rate"] input[name=rating]:checked', "els => els.length") == 0
    page.click('[data-testid="action-rate"] [data-testid="star-5"]')
    page.fill('[data-testid="action-rate"] input[name=comment]', "阿姨干活细致，谢谢！")
    page.click('[data-testid="action-rate"] button[type=submit]')
    page.wait_for_selector(".alert-success")
    assert not page.query_selector('[data-testid="action-rate"]')
    assert timeline(page) == TIMELINE
    assert "阿姨干活细致，谢谢！" in page.inner_text('[data-testid="timeline"]')
    shot(page, "resident-rated")
    order.refresh_from_db()
    assert order.rating == 5

    # 5. The volunteer sees the points on their statement; the dispatcher sees the same timeline.
    helper = Session(browser, url, **PHONE)
    helper.log_in_with_password(volunteer.phone)
    helper.go("points:mine")
    assert helper.page.inner_text('[data-testid="balance"]').strip() == str(2 * POINTS_PER_HOUR)
    entry = PointsEntry.objects.get(account__user=volunteer)
    assert entry.kind == "earn" and entry.reference == f"service-order:{order.pk}"
    shot(helper.page, "volunteer-points")
    desk.go("service_orders:detail", order.pk)
    assert timeline(desk.page) == TIMELINE
    shot(desk.page, "dispatcher-timeline")

    # an outsider cannot open the order's photo
    outsider = Session(browser, url, **PHONE)
    outsider.log_in_with_password(people.outsider.phone)
    response = outsider.page.goto(url + reverse("service_orders:photo", args=[order.photos.get().pk]))
    assert response.status == 404

    for session in (resident, desk, lead, helper, outsider):
        session.close()


def test_a_resident_orders_with_a_photo_and_a_leader_grabs_it(live_server, browser, output_dir, tmp_path, scene,
                                                              leader, offering):
    """The order form as the case report: steps, the photo picker with its preview, no kind box once a
    service is chosen; the leader grabs the published order and reads one message."""
    people, url, shot = scene, live_server.url, Shots(output_dir)
    start = timezone.localtime() + timedelta(days=1)

    resident = Session(browser, url, **PHONE)
    page = resident.page
    resident.log_in_with_code(people.resident.phone)
    resident.go("service_orders:menu")
    assert page.is_visible('[data-testid="kind-field"]')  # no service chosen yet: the kind is asked
    shot(page, "resident-menu")
    page.click(f'[data-testid="order-offering-{offering.pk}"]')
    page.wait_for_selector('[data-testid="order-form"]')
    assert page.input_value("#id_offering") == str(offering.pk)
    assert not page.is_visible('[data-testid="kind-field"]')  # the service implies its kind
    page.select_option("#id_offering", "")
    assert page.is_visible('[data-testid="kind-field"]')
    page.select_option("#id_offering", str(offering.pk))
    assert not page.is_visible('[data-testid="kind-field"]')
    page.fill("#id_address", "坑内路 12 号 301")
    page.fill("#id_starts_at", start.strftime("%Y-%m-%dT09:00"))
    page.fill("#id_ends_at", start.strftime("%Y-%m-%dT11:00"))
    page.set_input_files('[data-testid="photo-input"]', photo(tmp_path / "tap.jpg", "tap"))
    page.wait_for_selector("[data-photo-previews] .ll-photo-cell img")
    page.fill("#id_notes", "厨房水龙头漏水，家里有老人。")
    shot(page, "resident-order-form")
    page.click('[data-testid="submit-order"]')
    page.wait_for_selector('[data-testid="order-status"]')
    order = ServiceOrder.objects.get()
    assert order.offering == offering and order.photos.count() == 1
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=event-photo]')]"
                           ".every(image => image.complete && image.naturalWidth > 0)")
    assert page.locator(".ll-messages .alert").count() == 1
    shot(page, "resident-ordered-with-photo")

    actions.perform(people.community_staff, order, "publish")

    lead = Session(browser, url, **PHONE)
    page = lead.page
    lead.log_in_with_password(leader.phone)
    lead.go("service_orders:team")
    link = f'a[href="{reverse("service_orders:detail", args=[order.pk])}"]'
    page.wait_for_selector(f'[data-testid="grab-board"] {link}')
    shot(page, "leader-grab-board")
    page.click(f'[data-testid="grab-board"] {link}')
    page.click('[data-testid="action-grab"] button[type=submit]')
    page.wait_for_selector(".ll-messages .alert-success")
    assert page.locator(".ll-messages .alert").count() == 1  # one message, not "done" and "yours" stacked
    assert page.get_attribute('[data-testid="order-status"]', "data-testid") == "order-status"
    order.refresh_from_db()
    assert order.status == "accepted" and order.team_id is not None
    shot(page, "leader-grabbed")

    for session in (resident, lead):
        session.close()
