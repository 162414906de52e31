"""The phone pages: volunteers find, sign up, scan, see hours; leaders create, show the code, verify."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.enrolment import checkin
from linli.points.actions import balance_of
from linli.volunteering.actions import check_signup
from linli.volunteering.models import Activity, Attendance, Enrolment, Volunteer

from .conftest import resident_id


def test_a_resident_registers_on_the_page(client, tree, personas):
    client.force_login(personas.resident)
    form = {"area": tree.community_a.pk, "name": "居民甲", "gender": "female", "id_type": "resident_id",
            "id_number": "350203199001011235", "phone": personas.resident.phone, "political_status": "masses"}
    page = client.post(reverse("volunteering:register"), form).content.decode()
    assert 'data-testid="error-id_number"' in page and not Volunteer.objects.exists()
    response = client.post(reverse("volunteering:register"), {**form, "id_number": resident_id(3), "skills": "理发，急救",
                                                              "service_areas": ["elderly", "health"]})
    assert response.status_code == 302
    volunteer = Volunteer.objects.get()
    assert volunteer.skills == ["理发", "急救"] and volunteer.service_areas == ["elderly", "health"]


def test_the_home_page_has_the_volunteer_tiles(client, personas, leader):
    client.force_login(personas.resident)
    assert reverse("volunteering:index") in client.get(reverse("home")).content.decode()
    client.force_login(leader)
    assert reverse("volunteering:manage") in client.get(reverse("home")).content.decode()


def test_find_sign_up_and_see_my_sign_ups(client, volunteer, make_activity):
    activity = make_activity(capacity=1, branches=[{"name": "分会场", "capacity": 1}])
    client.force_login(volunteer.user)
    assert activity.title in client.get(reverse("volunteering:index")).content.decode()
    branch = activity.venues.get(is_main=False)
    client.post(reverse("volunteering:signup", args=[activity.pk]), {"venue": branch.pk})
    assert Enrolment.objects.get().venue == branch
    page = client.get(reverse("volunteering:mine")).content.decode()
    assert activity.title in page and 'data-status="confirmed"' in page
    client.post(reverse("volunteering:cancel", args=[Enrolment.objects.get().pk]))
    assert Enrolment.objects.get().status == "cancelled"


def test_the_leader_creates_an_activity_on_the_page(client, tree, team, leader):
    client.force_login(leader)
    start = timezone.localtime() + timedelta(days=3)
    form = {"organization": team.pk, "title": "为老招手停", "service_area": "elderly", "area": tree.community_a.pk,
            "place": "坑内社区", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "capacity": 10, "points_per_hour": 10,
            "branches": "文安分会场, 5\n第二分会场，3"}
    response = client.post(reverse("volunteering:create"), form)
    activity = Activity.objects.get()
    assert response.status_code == 302 and activity.venues.count() == 3
    assert sorted(activity.venues.values_list("capacity", flat=True)) == [3, 5, 10]


def test_the_qr_page_shows_an_svg_that_opens_the_scan_page(client, leader, make_activity):
    activity = make_activity()
    venue = activity.venues.get()
    client.force_login(leader)
    page = client.get(reverse("volunteering:qr", args=[venue.pk])).content.decode()
    assert "<svg" in page and 'hx-trigger="every 30s"' in page
    fragment = client.get(reverse("volunteering:qr_code", args=[venue.pk]))
    assert fragment["Cache-Control"] == "no-store" and "/volunteering/scan/" in fragment.content.decode()


def test_scan_page_checks_in_and_the_leader_approves_on_the_roster(client, clock, leader, volunteer, make_activity):
    activity = make_activity(starts_at=clock.now + timedelta(minutes=5))
    check_signup(volunteer.user, activity)
    url = reverse("volunteering:scan", args=[checkin.make_token(activity.venues.get().pk)])
    client.force_login(volunteer.user)
    assert 'data-testid="scan-form"' in client.get(url).content.decode()
    assert 'data-testid="scan-result"' in client.post(url).content.decode()
    clock.advance(hours=3, minutes=5)  # in 5 minutes early: 3 h from the start
    client.post(reverse("volunteering:scan", args=[checkin.make_token(activity.venues.get().pk)]))  # a fresh code
    attendance = Attendance.objects.get()
    assert attendance.hours == 3
    client.force_login(leader)
    roster = client.get(reverse("volunteering:roster", args=[activity.pk])).content.decode()
    assert 'data-testid="bulk-approve"' in roster
    client.post(reverse("volunteering:verify", args=[activity.pk]), {"ids": [attendance.pk]})
    assert balance_of(volunteer.user) == 30
    client.force_login(volunteer.user)
    hours = client.get(reverse("volunteering:hours")).content.decode()
    assert 'data-testid="points-balance">30<' in hours


def test_a_stale_code_on_the_scan_page(client, volunteer):
    client.force_login(volunteer.user)
    assert 'data-testid="scan-stale"' in client.get(reverse("volunteering:scan", args=["forged:token"])).content.decode()


@pytest.mark.parametrize("name", ["manage", "create"])
def test_leader_pages_are_not_there_for_others(client, personas, name):
    for user in (personas.resident, personas.grid_worker, personas.community_staff, personas.street_dispatcher,
                 personas.department_handler, personas.outsider):
        client.force_login(user)
        assert client.get(reverse(f"volunteering:{name}")).status_code == 404


def test_the_signup_page_takes_any_venue_text(client, volunteer, make_activity):
    activity = make_activity(branches=[{"name": "分会场", "capacity": 1}])
    client.force_login(volunteer.user)
    for venue in ("abc", "²", "99999999999999999999"):
        assert client.post(reverse("volunteering:signup", args=[activity.pk]), {"venue": venue}).status_code == 302
    assert Enrolment.objects.get(user=volunteer.user).venue.is_main  # not a venue: the main one


def test_the_verify_page_takes_any_id_text(client, leader, volunteer, make_activity):
    from linli.volunteering.actions import check_mark_attendance

    activity = make_activity()
    attendance = check_mark_attendance(leader, check_signup(volunteer.user, activity), activity.starts_at,
                                       activity.ends_at)
    client.force_login(leader)
    url = reverse("volunteering:verify", args=[activity.pk])
    for reject in ("abc", "²", "99999999999999999999"):
        assert client.post(url, {"reject": reject, "reason": "没来"}).status_code == 404
    assert client.post(url, {"ids": ["²", "٣", "abc", "99999999999999999999"]}).status_code == 302
    attendance.refresh_from_db()
    assert attendance.status == "pending"
    client.post(url, {"ids": ["²", str(attendance.pk)]})
    attendance.refresh_from_db()
    assert attendance.status == "approved"


def test_a_branch_written_with_other_digits_is_a_form_error(client, tree, team, leader):
    client.force_login(leader)
    start = timezone.localtime() + timedelta(days=3)
    form = {"organization": team.pk, "title": "为老招手停", "service_area": "elderly", "area": tree.community_a.pk,
            "place": "坑内社区", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "capacity": 10, "points_per_hour": 10,
            "branches": "文安分会场, ²"}
    response = client.post(reverse("volunteering:create"), form)
    assert response.status_code == 200 and not Activity.objects.exists()


def test_a_cancelled_activity_offers_no_check_in_code_and_no_marking(client, leader, volunteer, make_activity):
    from linli.volunteering.actions import check_cancel_activity

    activity = make_activity()
    check_signup(volunteer.user, activity)
    client.force_login(leader)
    url = reverse("volunteering:roster", args=[activity.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="show-qr"' in page and 'data-testid="mark-present"' in page
    check_cancel_activity(leader, activity, "暴雨")
    page = client.get(url).content.decode()
    assert 'data-testid="activity-cancelled"' in page
    for button in ("show-qr", "mark-present", "bulk-approve", "edit-activity", "cancel-activity"):
        assert f'data-testid="{button}"' not in page, button
