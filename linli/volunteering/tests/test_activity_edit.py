"""Editing and cancelling an activity: places never below the confirmed sign-ups, more places promote
the waiting list, a new time and a cancellation reach the volunteers, a cancelled activity takes no
sign-up or scan, and only the activity's managers may do either."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.urls import reverse

from linli.accounts.choices import Role
from linli.core.models import Notification, OutboxMessage
from linli.core.outbox import relay_pending
from linli.core.testing import make_person
from linli.enrolment import checkin
from linli.orgs.actions import do_create_organization
from linli.volunteering.actions import (
    VolunteeringError,
    check_approve_hours,
    check_cancel_activity,
    check_mark_attendance,
    check_scan,
    check_signup,
    check_update_activity,
    do_send_reminders,
)
from linli.volunteering.models import Activity, Enrolment, Venue


@pytest.fixture
def volunteers(make_volunteer):
    return [make_volunteer(f"1390000030{i}", f"队员{i}") for i in range(5)]


def statuses(activity):
    return list(Enrolment.objects.filter(session=activity).order_by("id").values_list("status", flat=True))


def main_venue(activity):
    return activity.venues.get(is_main=True)


# -- editing ------------------------------------------------------------------------------------


def test_raising_a_venues_places_promotes_its_waiting_list_first_come_first_served(leader, make_activity, volunteers):
    activity = make_activity(capacity=1)
    for v in volunteers[:4]:
        check_signup(v.user, activity)
    assert statuses(activity) == ["confirmed", "waitlisted", "waitlisted", "waitlisted"]
    check_update_activity(leader, activity, venue_capacities={main_venue(activity).pk: 3})
    assert statuses(activity) == ["confirmed", "confirmed", "confirmed", "waitlisted"]
    assert main_venue(activity).capacity == 3
    promoted = Enrolment.objects.filter(session=activity).order_by("id")[1:3]
    # The enrolment engine tells of the promotion; volunteering's handler notifies under volunteering.promoted.
    assert sorted(OutboxMessage.objects.filter(topic="enrolment.promoted").values_list("payload", flat=True),
                  key=lambda p: p["enrolment"]) == [{"enrolment": s.pk, "owner": activity.owner} for s in promoted]


def test_places_cannot_go_below_the_confirmed_sign_ups(leader, make_activity, volunteers):
    activity = make_activity(capacity=3)
    for v in volunteers[:2]:
        check_signup(v.user, activity)
    venue = main_venue(activity)
    with pytest.raises(VolunteeringError) as refused:
        check_update_activity(leader, activity, venue_capacities={venue.pk: 1}, title="改了标题")
    assert (refused.value.code, refused.value.field) == ("capacity_below_signups", "venues")
    activity.refresh_from_db()
    # All or nothing: the title did not change either.
    assert (main_venue(activity).capacity, activity.title) == (3, "学雷锋志愿服务日")
    check_update_activity(leader, activity, venue_capacities={venue.pk: 2})
    assert main_venue(activity).capacity == 2


def test_a_venue_of_another_activity_is_refused(leader, make_activity):
    activity, other = make_activity(), make_activity()
    with pytest.raises(VolunteeringError) as refused:
        check_update_activity(leader, activity, venue_capacities={main_venue(other).pk: 5})
    assert refused.value.field == "venues"


def test_edit_fields_and_add_a_branch_with_the_create_rules(leader, make_activity):
    activity = make_activity(capacity=2)
    check_update_activity(leader, activity, title="  重阳敬老  ", place="文安社区", points_per_hour=20,
                          required_skills="理发，急救", add_branches=[{"name": "二号分会场", "capacity": 4}])
    activity.refresh_from_db()
    assert (activity.title, activity.place, activity.points_per_hour, activity.required_skills) == (
        "重阳敬老", "文安社区", 20, ["理发", "急救"])
    assert sorted(activity.venues.values_list("name", "capacity", "is_main")) == [
        ("二号分会场", 4, False), ("坑内社区党群服务中心", 2, True)]
    # The same validation as creating: the same codes and fields.
    for fields, field in [({"title": " "}, "title"), ({"ends_at": activity.starts_at}, "ends_at"),
                          ({"service_area": "flying"}, "service_area"), ({"points_per_hour": 5000}, "points_per_hour"),
                          ({"add_branches": [{"name": "", "capacity": 1}]}, "add_branches"),
                          ({"signup_closes_at": activity.ends_at + timedelta(hours=1)}, "signup_closes_at")]:
        with pytest.raises(VolunteeringError) as refused:
            check_update_activity(leader, activity, **fields)
        assert (refused.value.code, refused.value.field) == ("invalid", field), fields


def test_a_new_time_tells_everyone_signed_up_and_reminds_them_again(
        clock, leader, make_activity, volunteers, django_capture_on_commit_callbacks, sms_outbox):
    activity = make_activity(capacity=1, starts_at=clock.now + timedelta(hours=20))
    confirmed, waiting, gone = (check_signup(v.user, activity) for v in volunteers[:3])
    Enrolment.objects.filter(pk=gone.pk).update(status="cancelled")
    assert do_send_reminders() == 1
    new_start = clock.now + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        check_update_activity(leader, activity, starts_at=new_start, ends_at=new_start + timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        relay_pending()
    notes = Notification.objects.filter(topic="volunteering.rescheduled")
    assert sorted(notes.values_list("user", flat=True)) == sorted([confirmed.user_id, waiting.user_id])
    assert activity.title in notes.first().title
    assert {phone for phone, *_rest in sms_outbox} == {volunteers[0].user.phone, volunteers[1].user.phone}
    activity.refresh_from_db()
    # Sign-up closed "when it starts" and moves with the start.
    assert activity.signup_closes_at == new_start
    # Reminded for the old time: reminded again before the new one.
    clock.advance(days=2, hours=6)
    assert do_send_reminders() == 1


def test_changing_other_fields_tells_nobody(leader, make_activity, volunteers):
    activity = make_activity()
    check_signup(volunteers[0].user, activity)
    check_update_activity(leader, activity, title="新标题", starts_at=activity.starts_at)
    assert not OutboxMessage.objects.filter(topic="volunteering.rescheduled").exists()


def test_an_ended_activity_cannot_be_edited_nor_moved_into_the_past(clock, leader, make_activity):
    activity = make_activity()
    with pytest.raises(VolunteeringError) as past:
        check_update_activity(leader, activity, starts_at=clock.now - timedelta(hours=3),
                              ends_at=clock.now - timedelta(hours=1), signup_opens_at=clock.now - timedelta(days=1),
                              signup_closes_at=clock.now - timedelta(hours=3))
    assert (past.value.code, past.value.field) == ("invalid", "ends_at")
    clock.advance(days=3)
    with pytest.raises(VolunteeringError) as ended:
        check_update_activity(leader, activity, title="晚了")
    assert ended.value.code == "activity_ended"
    with pytest.raises(VolunteeringError) as too_late:
        check_cancel_activity(leader, activity, "下雨")
    assert too_late.value.code == "activity_ended"


# -- cancelling ---------------------------------------------------------------------------------


def test_cancelling_cancels_every_sign_up_tells_them_and_refuses_later_sign_up_and_scan(
        leader, make_activity, volunteers, django_capture_on_commit_callbacks, sms_outbox):
    activity = make_activity(capacity=1)
    signups = [check_signup(v.user, activity) for v in volunteers[:2]]
    with pytest.raises(VolunteeringError) as no_reason:
        check_cancel_activity(leader, activity, "  ")
    assert (no_reason.value.code, no_reason.value.field) == ("invalid", "reason")
    with django_capture_on_commit_callbacks(execute=True):
        check_cancel_activity(leader, activity, "台风预警")
    with django_capture_on_commit_callbacks(execute=True):
        relay_pending()
    activity.refresh_from_db()
    assert (activity.status, activity.cancel_reason, activity.cancelled_by) == ("cancelled", "台风预警", leader)
    assert statuses(activity) == ["cancelled", "cancelled"]
    notes = Notification.objects.filter(topic="volunteering.activity_cancelled")
    assert sorted(notes.values_list("user", flat=True)) == sorted(s.user_id for s in signups)
    assert "台风预警" in notes.first().body
    assert len(sms_outbox) == 2
    with pytest.raises(VolunteeringError) as sign_up:
        check_signup(volunteers[2].user, activity)
    assert sign_up.value.code == "activity_cancelled"
    token = checkin.make_token(main_venue(activity).pk)
    with pytest.raises(VolunteeringError) as scan:
        check_scan(volunteers[0].user, token)
    assert scan.value.code == "activity_cancelled"
    for change in ({"title": "再改"}, {"venue_capacities": {main_venue(activity).pk: 9}}):
        with pytest.raises(VolunteeringError) as edit:
            check_update_activity(leader, activity, **change)
        assert edit.value.code == "activity_cancelled"
    with pytest.raises(VolunteeringError) as again:
        check_cancel_activity(leader, activity, "再取消")
    assert again.value.code == "activity_cancelled"


def test_a_cancelled_activity_under_way_gives_no_hours_or_points(clock, leader, make_activity, volunteers):
    activity = make_activity(starts_at=clock.now + timedelta(minutes=30))
    signup = check_signup(volunteers[0].user, activity)
    clock.advance(hours=1)
    attendance = check_scan(volunteers[0].user, checkin.make_token(main_venue(activity).pk))
    check_cancel_activity(leader, activity, "场地停电")
    attendance.refresh_from_db()
    assert (attendance.status, attendance.hours, attendance.reject_reason) == ("rejected", 0, "场地停电")
    assert attendance.checked_out_at is not None
    with pytest.raises(VolunteeringError) as approve:
        check_approve_hours(leader, attendance)
    assert approve.value.code == "activity_cancelled"
    with pytest.raises(VolunteeringError):
        check_mark_attendance(leader, Enrolment.objects.get(pk=signup.pk), activity.starts_at, activity.ends_at)


def test_approved_hours_keep_an_activity_from_being_cancelled(clock, leader, make_activity, volunteers):
    activity = make_activity(starts_at=clock.now + timedelta(minutes=30))
    signup = check_signup(volunteers[0].user, activity)
    clock.advance(hours=1)
    attendance = check_mark_attendance(leader, signup, activity.starts_at, clock.now)
    check_approve_hours(leader, attendance)
    with pytest.raises(VolunteeringError) as refused:
        check_cancel_activity(leader, activity, "临时取消")
    assert refused.value.code == "hours_approved"
    assert Activity.objects.get(pk=activity.pk).status == "scheduled"


def test_a_cancelled_activity_leaves_the_public_list_but_its_volunteers_still_see_it(
        client, leader, make_activity, volunteers):
    activity = make_activity()
    kept = make_activity(title="照常举行")
    mine = check_signup(volunteers[0].user, activity)
    check_signup(volunteers[1].user, activity)
    # One who had cancelled their own sign-up before does not see it as cancelled by the activity.
    from linli.volunteering.actions import check_cancel_signup

    check_cancel_signup(volunteers[1].user, Enrolment.objects.get(session=activity, user=volunteers[1].user))
    check_cancel_activity(leader, activity, "场地维修")

    client.force_login(volunteers[0].user)
    assert [a["id"] for a in client.get("/api/volunteering/activities/").json()["results"]] == [kept.pk]
    assert activity.title not in client.get(reverse("volunteering:index")).content.decode()
    page = client.get(reverse("volunteering:mine")).content.decode()
    assert 'data-status="cancelled"' in page and "场地维修" in page
    detail = client.get(reverse("volunteering:activity", args=[activity.pk]))
    assert detail.status_code == 200 and 'data-testid="activity-cancelled"' in detail.content.decode()
    body = client.get(f"/api/volunteering/activities/{activity.pk}/").json()
    assert (body["status"], body["cancel_reason"]) == ("cancelled", "场地维修")
    signup = next(s for s in client.get("/api/volunteering/signups/").json()["results"] if s["id"] == mine.pk)
    assert (signup["status"], signup["activity_status"], signup["activity_cancel_reason"]) == (
        "cancelled", "cancelled", "场地维修")

    client.force_login(volunteers[1].user)
    assert "场地维修" not in client.get(reverse("volunteering:mine")).content.decode()
    client.force_login(volunteers[2].user)  # never signed up
    assert client.get(reverse("volunteering:activity", args=[activity.pk])).status_code == 404
    assert client.get(f"/api/volunteering/activities/{activity.pk}/").status_code == 404


# -- who may ------------------------------------------------------------------------------------


@pytest.fixture
def strangers(tree, personas, volunteer):
    other_team = do_create_organization(parent=None, name="四色帮帮团", kind="volunteer_team", area=tree.street_b)
    return {
        "other_teams_leader": make_person("13900000361", "别队队长", Role.VOLUNTEER_TEAM_LEADER,
                                          organization=other_team),
        "volunteer": volunteer.user, "resident": personas.resident, "outsider": personas.outsider,
        "org_admin_of_another_org": personas.org_admin, "community_staff": personas.community_staff,
    }


def test_only_the_activitys_managers_edit_or_cancel_it(client, leader, make_activity, strangers, volunteer):
    activity = make_activity()
    check_signup(volunteer.user, activity)
    venue = main_venue(activity)
    for name, user in strangers.items():
        with pytest.raises(Http404):
            check_update_activity(user, activity, title="别人改的")
        with pytest.raises(Http404):
            check_cancel_activity(user, activity, "别人取消")
        client.force_login(user)
        patched = client.patch(f"/api/volunteering/activities/{activity.pk}/", {"title": "别人改的"},
                               content_type="application/json")
        cancelled = client.post(f"/api/volunteering/activities/{activity.pk}/cancel/", {"reason": "x"},
                                content_type="application/json")
        assert (patched.status_code, cancelled.status_code) == (404, 404), name
        assert patched.json()["code"] == "not_found"
        for page in ("volunteering:edit", "volunteering:cancel_activity"):
            assert client.get(reverse(page, args=[activity.pk])).status_code == 404, (name, page)
        assert client.post(reverse("volunteering:cancel_activity", args=[activity.pk]),
                           {"reason": "x"}).status_code == 404
    activity.refresh_from_db()
    assert (activity.title, activity.status, Venue.objects.get(pk=venue.pk).capacity) == (
        "学雷锋志愿服务日", "scheduled", 2)


# -- API ----------------------------------------------------------------------------------------


def test_edit_and_cancel_through_the_api(client, leader, make_activity, volunteers):
    activity = make_activity(capacity=1)
    first, second = (check_signup(v.user, activity) for v in volunteers[:2])
    client.force_login(leader)
    url = f"/api/volunteering/activities/{activity.pk}/"
    venue = main_venue(activity)
    same = client.patch(url, {"venues": [{"id": venue.pk, "capacity": 1}], "title": "x"},
                        content_type="application/json")
    assert same.status_code == 200 and same.json()["title"] == "x"
    response = client.patch(url, {"venues": [{"id": venue.pk, "capacity": 2}],
                                  "add_branches": [{"name": "分会场", "capacity": 5}]}, content_type="application/json")
    assert response.status_code == 200, response.json()
    assert response.json()["capacity"] == 7 and len(response.json()["venues"]) == 2
    assert Enrolment.objects.get(pk=second.pk).status == "confirmed"
    refused = client.patch(url, {"venues": [{"id": venue.pk, "capacity": 1}]}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "capacity_below_signups"
    assert refused.json()["fields"] == {"venues": [refused.json()["message"]]}
    no_reason = client.post(f"{url}cancel/", {}, content_type="application/json")
    assert no_reason.status_code == 400 and no_reason.json()["fields"]["reason"]
    done = client.post(f"{url}cancel/", {"reason": "暴雨"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    client.force_login(volunteers[2].user)
    sign_up = client.post(f"{url}signup/", {}, content_type="application/json")
    assert sign_up.status_code == 404  # not listed any more and never signed up: not there for them
    client.force_login(first.user)
    again = client.post(f"{url}signup/", {}, content_type="application/json")
    assert again.status_code == 400 and again.json()["code"] == "activity_cancelled"


@pytest.mark.parametrize("body", [
    {"venues": [{"id": "x", "capacity": 10**30}]},
    {"venues": {"id": 1}},
    {"venues": [{"id": 10**30, "capacity": 3}]},
    {"starts_at": "tomorrow", "points_per_hour": "many"},
    {"add_branches": "分会场"},
    {"required_skills": {"a": 1}},
    {"title": ["a", "b"]},
    ["title"],
])
def test_junk_edits_answer_json_errors_never_a_500(client, leader, make_activity, body):
    activity = make_activity()
    client.force_login(leader)
    response = client.patch(f"/api/volunteering/activities/{activity.pk}/", body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert {"code", "message"} <= set(response.json())
    junk_cancel = client.post(f"/api/volunteering/activities/{activity.pk}/cancel/", {"reason": ["x"] * 3},
                              content_type="application/json")
    assert junk_cancel.status_code == 400
    assert client.patch("/api/volunteering/activities/99999999999999999999/", {},
                        content_type="application/json").status_code == 404


def test_the_schema_has_the_new_operations_with_their_errors(db):
    from rest_framework.test import APIClient

    schema = APIClient().get("/api/schema/?format=json").json()
    for route, method in [("/api/volunteering/activities/{id}/", "patch"),
                          ("/api/volunteering/activities/{id}/cancel/", "post"),
                          ("/api/volunteering/volunteers/me/", "patch")]:
        responses = schema["paths"][route][method]["responses"]
        assert {"200", "400", "401", "404"} <= set(responses), route
        assert responses["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/ApiError")


# -- pages --------------------------------------------------------------------------------------


def test_the_leader_edits_and_cancels_on_the_pages(client, leader, make_activity, volunteers):
    activity = make_activity(capacity=1)
    first, second = (check_signup(v.user, activity) for v in volunteers[:2])
    client.force_login(leader)
    roster = client.get(reverse("volunteering:roster", args=[activity.pk])).content.decode()
    assert 'data-testid="edit-activity"' in roster and 'data-testid="cancel-activity"' in roster
    edit_url = reverse("volunteering:edit", args=[activity.pk])
    form = client.get(edit_url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    for name in ("starts_at", "ends_at", "signup_opens_at", "signup_closes_at"):
        data[name] = form[name].value().strftime("%Y-%m-%dT%H:%M")
    data = {name: "" if value is None else value for name, value in data.items()}
    venue = main_venue(activity)
    # Too few places: the page says so, nothing changes.
    page = client.post(edit_url, {**data, f"venue_{venue.pk}": 0})
    assert page.status_code == 200 and Venue.objects.get(pk=venue.pk).capacity == 1
    response = client.post(edit_url, {**data, "title": "周末义诊", f"venue_{venue.pk}": 2, "branches": "新分会场, 3"})
    assert response.status_code == 302, response.context["form"].errors
    activity.refresh_from_db()
    assert activity.title == "周末义诊" and activity.venues.count() == 2
    assert Enrolment.objects.get(pk=second.pk).status == "confirmed"
    # The untouched times (the form shows minutes) are not a change: nobody is told.
    assert not OutboxMessage.objects.filter(topic="volunteering.rescheduled").exists()

    cancel_url = reverse("volunteering:cancel_activity", args=[activity.pk])
    confirm = client.get(cancel_url).content.decode()
    assert 'data-testid="cancel-warning"' in confirm and 'data-testid="confirm-cancel"' in confirm
    assert client.post(cancel_url, {"reason": ""}).status_code == 200
    assert Activity.objects.get(pk=activity.pk).status == "scheduled"
    assert client.post(cancel_url, {"reason": "社区停水"}).status_code == 302
    roster = client.get(reverse("volunteering:roster", args=[activity.pk])).content.decode()
    assert 'data-testid="activity-cancelled"' in roster and 'data-testid="edit-activity"' not in roster
    assert 'data-testid="cancelled-badge"' in client.get(reverse("volunteering:manage")).content.decode()
    assert client.get(edit_url).status_code == 200  # the form shows; saving refuses
    refused = client.post(edit_url, {**data, "title": "再改"})
    assert refused.status_code == 200 and Activity.objects.get(pk=activity.pk).title == "周末义诊"


def test_my_sign_ups_page_stays_one_query_per_page(client, leader, make_activity, volunteers,
                                                   django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(volunteers[0].user)
    check_signup(volunteers[0].user, make_activity())
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("volunteering:mine"))
    for i in range(5):
        activity = make_activity(title=f"活动{i}")
        check_signup(volunteers[0].user, activity)
        if i % 2:
            check_cancel_activity(leader, activity, "取消")
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(reverse("volunteering:mine"))


# -- concurrency (PostgreSQL) -----------------------------------------------------------------


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_raising_places_while_people_sign_up_never_overfills(make_activity, make_volunteer, leader):
    import threading

    from django.db import connection

    activity = make_activity(capacity=2)
    people = [make_volunteer(f"139000005{i:02d}", f"并发{i}") for i in range(8)]
    for person in people[:4]:
        check_signup(person.user, activity)
    venue = main_venue(activity)
    barrier, errors = threading.Barrier(5), []

    def run(job):
        barrier.wait()
        try:
            job()
        except Exception as error:  # noqa: BLE001 — asserted below
            errors.append(error)
        finally:
            connection.close()

    jobs = [lambda p=p: check_signup(p.user, Activity.objects.get(pk=activity.pk)) for p in people[4:]]
    jobs.append(lambda: check_update_activity(leader, Activity.objects.get(pk=activity.pk),
                                              venue_capacities={venue.pk: 5}))
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # 8 people, 5 places: the first 5 in line hold them, whichever finished first.
    assert Enrolment.objects.filter(session=activity, status="confirmed").count() == 5
    assert Enrolment.objects.filter(session=activity, status="waitlisted").count() == 3
    confirmed = list(Enrolment.objects.filter(session=activity).order_by("id").values_list("status", flat=True))
    assert confirmed[:4] == ["confirmed"] * 4


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_cancelling_while_people_sign_up_leaves_no_live_sign_up(make_activity, make_volunteer, leader):
    import threading

    from django.db import connection

    activity = make_activity(capacity=3)
    people = [make_volunteer(f"139000006{i:02d}", f"并发{i}") for i in range(6)]
    barrier = threading.Barrier(len(people) + 1)

    def run(job):
        barrier.wait()
        try:
            job()
        except VolunteeringError:
            pass  # activity_cancelled: expected for those after the cancellation
        finally:
            connection.close()

    jobs = [lambda p=p: check_signup(p.user, Activity.objects.get(pk=activity.pk)) for p in people]
    jobs.append(lambda: check_cancel_activity(leader, Activity.objects.get(pk=activity.pk), "取消"))
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Activity.objects.get(pk=activity.pk).status == "cancelled"
    assert not Enrolment.objects.filter(session=activity).exclude(status="cancelled").exists()


# -- in a browser ---------------------------------------------------------------------------------


@pytest.mark.browser
def test_on_a_phone_the_leader_adds_places_then_cancels_and_the_volunteer_sees_why(
        live_server, browser, output_dir, transactional_db, leader, make_activity, volunteers):
    from linli.cases.tests.test_browser_flow import PHONE, Session, Shots

    activity = make_activity(capacity=1)
    first, second = (check_signup(v.user, activity) for v in volunteers[:2])
    shot = Shots(output_dir)
    phone = Session(browser, live_server.url, **PHONE)
    page = phone.page
    phone.log_in_with_password(leader.phone)
    phone.go("volunteering:roster", activity.pk)
    page.click('[data-testid="edit-activity"]')
    page.fill(f'[name="venue_{main_venue(activity).pk}"]', "2")
    shot(page, "leader-edits")
    page.click('[data-testid="save-activity"]')
    page.wait_for_selector('[data-testid="cancel-activity"]')
    assert Enrolment.objects.get(pk=second.pk).status == "confirmed"
    page.click('[data-testid="cancel-activity"]')
    page.fill('[name="reason"]', "台风预警，暂停户外活动")
    shot(page, "leader-cancels")
    page.click('[data-testid="confirm-cancel"]')
    page.wait_for_selector('[data-testid="activity-cancelled"]')
    phone.close()

    phone = Session(browser, live_server.url, **PHONE)
    page = phone.page
    phone.log_in_with_password(first.user.phone)
    phone.go("volunteering:mine")
    page.wait_for_selector('[data-testid="cancel-reason"]')
    assert "台风预警" in page.inner_text('[data-testid="my-signups"]')
    shot(page, "volunteer-sees-cancelled")
    page.click('[data-testid="nav-profile"]')
    page.fill('[name="availability"]', "周末全天")
    shot(page, "volunteer-profile")
    page.click('[data-testid="save-profile"]')
    page.wait_for_selector('[data-testid="identity-note"]')
    phone.close()
    assert volunteers[0].__class__.objects.get(pk=volunteers[0].pk).availability == "周末全天"
