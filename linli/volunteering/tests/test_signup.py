"""Sign-up at capacity goes to the waiting list; a cancelled place goes to the first one waiting, per venue."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.core.models import OutboxMessage
from linli.volunteering.actions import VolunteeringError, check_cancel_signup, check_signup
from linli.volunteering.models import Enrolment


@pytest.fixture
def volunteers(make_volunteer):
    return [make_volunteer(f"1390000010{i}", f"志愿者{i}") for i in range(5)]


def statuses(activity):
    return list(Enrolment.objects.filter(session=activity).order_by("id").values_list("user__name", "status"))


def test_at_capacity_sign_ups_wait_and_a_cancellation_promotes_the_first(make_activity, volunteers):
    activity = make_activity(capacity=2)
    signups = [check_signup(v.user, activity) for v in volunteers[:4]]
    assert [s.status for s in signups] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]

    check_cancel_signup(volunteers[1].user, signups[1])
    assert statuses(activity) == [("志愿者0", "confirmed"), ("志愿者1", "cancelled"), ("志愿者2", "confirmed"),
                                  ("志愿者3", "waitlisted")]
    promoted = OutboxMessage.objects.filter(topic="enrolment.promoted").values_list("payload", flat=True)
    assert list(promoted) == [{"enrolment": signups[2].pk, "owner": activity.owner}]

    # A waiting one who leaves frees nothing: nobody else moves.
    check_cancel_signup(volunteers[3].user, signups[3])
    assert Enrolment.objects.filter(session=activity, status="confirmed").count() == 2


def test_each_branch_venue_has_its_own_places_and_queue(make_activity, volunteers):
    activity = make_activity(capacity=1, branches=[{"name": "文安社区分会场", "capacity": 1}])
    main, branch = list(activity.venues.order_by("-is_main"))
    a = check_signup(volunteers[0].user, activity, branch)
    b = check_signup(volunteers[1].user, activity, branch)
    c = check_signup(volunteers[2].user, activity)  # the main venue still has its place
    assert (a.status, b.status, c.status, c.venue_id) == ("confirmed", "waitlisted", "confirmed", main.pk)
    d = check_signup(volunteers[3].user, activity, main)
    check_cancel_signup(volunteers[0].user, a)
    assert Enrolment.objects.get(pk=b.pk).status == "confirmed"  # the branch's queue, not the main one's
    assert Enrolment.objects.get(pk=d.pk).status == "waitlisted"


def test_one_live_sign_up_per_person_and_sign_up_again_after_cancelling(make_activity, volunteers):
    activity = make_activity()
    first = check_signup(volunteers[0].user, activity)
    with pytest.raises(VolunteeringError) as twice:
        check_signup(volunteers[0].user, activity)
    assert twice.value.code == "already_signed_up"
    check_cancel_signup(volunteers[0].user, first)
    assert check_signup(volunteers[0].user, activity).status == "confirmed"


def test_the_sign_up_window_and_the_required_skills_hold(make_activity, volunteers, personas):
    later = make_activity(signup_opens_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(VolunteeringError) as early:
        check_signup(volunteers[0].user, later)
    assert early.value.code == "signup_not_open"
    skilled = make_activity(required_skills=["理发"])
    with pytest.raises(VolunteeringError) as unskilled:
        check_signup(volunteers[0].user, skilled)
    assert unskilled.value.code == "missing_skills"
    with pytest.raises(VolunteeringError) as unregistered:
        check_signup(personas.resident, make_activity())
    assert unregistered.value.code == "not_registered"


def test_sign_up_and_cancel_through_the_api(client, make_activity, volunteers):
    activity = make_activity(capacity=1)
    client.force_login(volunteers[0].user)
    response = client.post(f"/api/volunteering/activities/{activity.pk}/signup/", {}, content_type="application/json")
    assert response.status_code == 201 and response.json()["status"] == "confirmed"
    client.force_login(volunteers[1].user)
    waiting = client.post(f"/api/volunteering/activities/{activity.pk}/signup/", {}, content_type="application/json")
    assert waiting.json()["status"] == "waitlisted"
    client.force_login(volunteers[0].user)
    mine = client.get("/api/volunteering/signups/").json()["results"]
    cancelled = client.post(f"/api/volunteering/signups/{mine[0]['id']}/cancel/")
    assert cancelled.json()["status"] == "cancelled"
    client.force_login(volunteers[1].user)
    assert client.get("/api/volunteering/signups/").json()["results"][0]["status"] == "confirmed"
    # someone else's sign-up is not there
    assert client.post(f"/api/volunteering/signups/{mine[0]['id']}/cancel/").status_code == 404


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_never_exceed_the_capacity(make_activity, make_volunteer):
    import threading

    from django.db import connection

    activity = make_activity(capacity=3)
    people = [make_volunteer(f"1390000020{i:01d}", f"并发{i}") for i in range(10)]
    barrier = threading.Barrier(len(people))

    def sign(volunteer):
        barrier.wait()
        try:
            check_signup(volunteer.user, activity)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(v,)) for v in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Enrolment.objects.filter(session=activity, status="confirmed").count() == 3
    assert Enrolment.objects.filter(session=activity, status="waitlisted").count() == 7
