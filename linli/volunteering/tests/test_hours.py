"""Hours are verified by the leader; approving posts points once, however often (and however
concurrently) it is approved; rejecting needs a reason; bulk approval."""

from datetime import timedelta

import pytest

from linli.enrolment import checkin
from linli.points.actions import balance_of
from linli.points.models import PointsEntry
from linli.volunteering.actions import (
    VolunteeringError,
    check_approve_hours,
    check_mark_attendance,
    check_reject_hours,
    check_scan,
    check_signup,
)
from linli.volunteering.models import Attendance


@pytest.fixture
def attended(make_activity, volunteer, leader):
    """2.5 hours marked by the leader, waiting for verification (25 points at the default rate)."""
    activity = make_activity()
    signup = check_signup(volunteer.user, activity)
    return check_mark_attendance(leader, signup, activity.starts_at, activity.starts_at + timedelta(hours=2, minutes=30))


def test_approving_twice_posts_the_points_once(attended, leader, volunteer, tree):
    first = check_approve_hours(leader, attended)
    second = check_approve_hours(leader, attended)
    assert (first.status, first.points, second.points) == ("approved", 25, 25)
    assert balance_of(volunteer.user) == 25
    entry = PointsEntry.objects.get()
    assert (entry.idempotency_key, entry.reference, entry.actor_id, entry.area_code) == (
        f"attendance:{attended.pk}", f"activity:{attended.enrolment.session_id}", leader.pk, tree.community_a.code)


def test_rejecting_needs_a_reason_and_approved_hours_stay_approved(attended, leader, volunteer):
    with pytest.raises(VolunteeringError) as no_reason:
        check_reject_hours(leader, attended, " ")
    assert no_reason.value.field == "reason"
    rejected = check_reject_hours(leader, attended, "未到场")
    assert (rejected.status, rejected.reject_reason, balance_of(volunteer.user)) == ("rejected", "未到场", 0)
    check_approve_hours(leader, attended)  # the leader changes their mind
    with pytest.raises(VolunteeringError) as too_late:
        check_reject_hours(leader, attended, "弄错了")
    assert too_late.value.code == "already_approved" and balance_of(volunteer.user) == 25


def test_hours_not_checked_out_cannot_be_approved(clock, leader, make_activity, volunteer):
    activity = make_activity(starts_at=clock.now + timedelta(minutes=5))
    check_signup(volunteer.user, activity)
    attendance = check_scan(volunteer.user, checkin.make_token(activity.venues.get().pk))
    with pytest.raises(VolunteeringError) as still_in:
        check_approve_hours(leader, attendance)
    assert still_in.value.code == "not_checked_out"


def test_bulk_approval_through_the_api(client, leader, make_activity, make_volunteer):
    activity = make_activity(capacity=5, points_per_hour=20)
    ids = []
    for i in range(3):
        signup = check_signup(make_volunteer(f"1390000030{i}", f"批量{i}").user, activity)
        ids.append(check_mark_attendance(leader, signup, activity.starts_at, activity.starts_at + timedelta(hours=1)).pk)
    client.force_login(leader)
    response = client.post("/api/volunteering/attendances/bulk-approve/", {"ids": ids}, content_type="application/json")
    assert response.json() == {"approved": 3}
    again = client.post("/api/volunteering/attendances/bulk-approve/", {"ids": ids}, content_type="application/json")
    assert again.json() == {"approved": 0}
    assert sorted(PointsEntry.objects.values_list("delta", flat=True)) == [20, 20, 20]
    one = client.post(f"/api/volunteering/attendances/{ids[0]}/approve/")
    assert one.status_code == 200 and one.json()["status"] == "approved" and PointsEntry.objects.count() == 3
    reject = client.post(f"/api/volunteering/attendances/{ids[0]}/reject/", {"reason": "x"}, content_type="application/json")
    assert reject.status_code == 400 and reject.json()["code"] == "already_approved"


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_post_once(make_activity, volunteer, leader):
    import threading

    from django.db import connection

    activity = make_activity()
    signup = check_signup(volunteer.user, activity)
    attendance = check_mark_attendance(leader, signup, activity.starts_at, activity.starts_at + timedelta(hours=3))
    barrier, errors = threading.Barrier(8), []

    def approve():
        barrier.wait()
        try:
            check_approve_hours(leader, Attendance.objects.get(pk=attendance.pk))
        except Exception as error:  # noqa: BLE001 — collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert PointsEntry.objects.count() == 1 and balance_of(volunteer.user) == 30


def test_the_volunteer_is_told_of_approved_and_rejected_hours_and_a_certificate(
        clock, make_activity, make_volunteer, volunteer, leader, team, sms_outbox, django_capture_on_commit_callbacks):
    """Bell and SMS: hours approved with the points credited, hours rejected with the reason, a
    certificate issued; the SMS only to a volunteer who has not turned SMS off."""
    from django.utils import timezone

    from linli.core import outbox
    from linli.core.models import Notification, NotificationPreference
    from linli.volunteering.actions import check_issue_certificate

    other = make_volunteer("13900000061", "志愿者丙")
    NotificationPreference.objects.create(user=other.user, sms_enabled=False)
    activity = make_activity()
    marked = []
    for person in (volunteer, other):
        signup = check_signup(person.user, activity)
        marked.append(check_mark_attendance(leader, signup, activity.starts_at,
                                            activity.starts_at + timedelta(hours=2, minutes=30)))
    check_approve_hours(leader, marked[0])
    check_reject_hours(leader, marked[1], "未到现场")
    with django_capture_on_commit_callbacks(execute=True):  # texts leave after the relay commits
        outbox.relay_pending()
    approved = Notification.objects.get(user=volunteer.user, topic="volunteering.hours_approved")
    assert "2.5" in approved.body and "25" in approved.body
    rejected = Notification.objects.get(user=other.user, topic="volunteering.hours_rejected")
    assert "未到现场" in rejected.body
    assert [(phone, key) for phone, key, _params in sms_outbox] == [(volunteer.user.phone, "hours_approved")]

    clock.advance(days=7)  # the activity is over
    today = timezone.localdate()
    certificate = check_issue_certificate(leader, volunteer, organization=team, date_from=today - timedelta(days=30),
                                          date_to=today)
    outbox.relay_pending()
    told = Notification.objects.get(user=volunteer.user, topic="volunteering.certificate_issued")
    assert certificate.number in told.body and told.url.endswith("/volunteering/certificates/")
