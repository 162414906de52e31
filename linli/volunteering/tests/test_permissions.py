"""Who may do what: the personas against the team's data, a team leader and a volunteer."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from linli.core.testing import make_person
from linli.volunteering.actions import check_create_activity, check_mark_attendance, check_signup
from linli.volunteering.models import Activity


def _activity_fields(tree):
    start = timezone.now() + timedelta(days=1)
    return {"title": "义诊", "service_area": "health", "area": tree.community_a, "place": "社区卫生站",
            "starts_at": start, "ends_at": start + timedelta(hours=2), "capacity": 5}


@pytest.fixture
def everyone(personas, leader, volunteer):
    return {
        "resident": personas.resident, "grid_worker": personas.grid_worker,
        "community_staff": personas.community_staff, "street_dispatcher": personas.street_dispatcher,
        "department_handler": personas.department_handler, "outsider": personas.outsider,
        "org_admin_of_another_org": personas.org_admin, "volunteer": volunteer.user, "leader": leader,
    }


def test_only_the_teams_leader_creates_its_activities(tree, team, everyone):
    for name, user in everyone.items():
        if name == "leader":
            assert check_create_activity(user, team, **_activity_fields(tree)).pk
        else:
            with pytest.raises(Http404):
                check_create_activity(user, team, **_activity_fields(tree))
    assert Activity.objects.count() == 1


def test_an_organization_admin_runs_activities_of_their_organization(tree, personas):
    activity = check_create_activity(personas.org_admin, personas.federation, **_activity_fields(tree))
    assert activity.organization == personas.federation
    with pytest.raises(Http404):
        check_create_activity(personas.department_handler, personas.department, **_activity_fields(tree))


def test_creating_through_the_api(client, tree, team, everyone):
    body = {**_activity_fields(tree), "organization": team.pk, "area": tree.community_a.code,
            "branches": [{"name": "分会场", "capacity": 3}]}
    body["starts_at"], body["ends_at"] = body["starts_at"].isoformat(), body["ends_at"].isoformat()
    for name, user in everyone.items():
        client.force_login(user)
        response = client.post("/api/volunteering/activities/", body, content_type="application/json")
        if name == "leader":
            assert response.status_code == 201 and len(response.json()["venues"]) == 2
            assert response.json()["capacity"] == 8
        else:
            assert response.status_code == 404 and response.json()["code"] == "not_found"
    client.force_login(everyone["leader"])
    bad = client.post("/api/volunteering/activities/", {**body, "ends_at": body["starts_at"]}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["fields"] == {"ends_at": [bad.json()["message"]]}


def test_everyone_signed_in_sees_published_activities_only_managers_see_attendance(client, everyone, make_activity):
    activity = make_activity()
    check_signup(everyone["volunteer"], activity)
    for name, user in everyone.items():
        client.force_login(user)
        listed = client.get("/api/volunteering/activities/").json()["results"]
        assert [a["id"] for a in listed] == [activity.pk], name
        attendances = client.get("/api/volunteering/attendances/").status_code
        roster = client.get(reverse("volunteering:roster", args=[activity.pk])).status_code
        managed = client.get("/api/volunteering/activities/?managed=1").json()["results"]
        if name == "leader":
            assert (attendances, roster, len(managed)) == (200, 200, 1)
        else:
            assert (roster, managed) == (404, []), name
            assert client.get("/api/volunteering/attendances/").json()["results"] == []
    client.logout()
    assert client.get("/api/volunteering/activities/").status_code in (401, 403)


def test_a_volunteer_sees_only_their_own_sign_ups_and_cannot_verify(client, everyone, make_activity, make_volunteer,
                                                                     leader):
    activity = make_activity()
    mine = check_signup(everyone["volunteer"], activity)
    other = make_volunteer("13900000060", "另一位")
    theirs = check_signup(other.user, activity)
    attendance = check_mark_attendance(leader, theirs, activity.starts_at, activity.ends_at)
    client.force_login(everyone["volunteer"])
    assert [s["id"] for s in client.get("/api/volunteering/signups/").json()["results"]] == [mine.pk]
    assert client.post(f"/api/volunteering/signups/{theirs.pk}/cancel/").status_code == 404
    assert client.post(f"/api/volunteering/attendances/{attendance.pk}/approve/").status_code == 404
    for name, user in everyone.items():
        if name != "leader":
            with pytest.raises(Http404):
                check_mark_attendance(user, mine, activity.starts_at, activity.ends_at)


def test_another_teams_leader_cannot_touch_this_team(client, tree, team, make_activity, volunteer, leader):
    from linli.accounts.choices import Role
    from linli.orgs.actions import do_create_organization

    other_team = do_create_organization(parent=None, name="四色帮帮团", kind="volunteer_team", area=tree.street_b)
    other_leader = make_person("13900000061", "别队队长", Role.VOLUNTEER_TEAM_LEADER, organization=other_team)
    activity = make_activity()
    signup = check_signup(volunteer.user, activity)
    attendance = check_mark_attendance(leader, signup, activity.starts_at, activity.ends_at)
    client.force_login(other_leader)
    assert client.post(f"/api/volunteering/attendances/{attendance.pk}/approve/").status_code == 404
    assert client.get(reverse("volunteering:qr", args=[activity.venues.get().pk])).status_code == 404
    with pytest.raises(Http404):
        check_create_activity(other_leader, team, **_activity_fields(tree))


def test_the_leader_marks_attendance_through_the_api_and_nobody_else_can(client, tree, everyone, make_activity,
                                                                         make_volunteer, leader):
    from linli.accounts.choices import Role
    from linli.orgs.actions import do_create_organization
    from linli.volunteering.models import Attendance

    other_team = do_create_organization(parent=None, name="四色帮帮团", kind="volunteer_team", area=tree.street_a)
    everyone["other_teams_leader"] = make_person("13900000062", "别队队长", Role.VOLUNTEER_TEAM_LEADER,
                                                 organization=other_team)
    activity = make_activity()
    signup = check_signup(everyone["volunteer"], activity)
    url = f"/api/volunteering/signups/{signup.pk}/mark/"
    for name, user in everyone.items():
        if name != "leader":
            client.force_login(user)
            response = client.post(url, {}, content_type="application/json")
            assert response.status_code == 404 and response.json()["code"], name
    assert not Attendance.objects.exists()
    client.force_login(leader)
    start = activity.starts_at + timedelta(minutes=30)
    response = client.post(url, {"checked_in_at": start.isoformat(),
                                 "checked_out_at": (start + timedelta(hours=1, minutes=30)).isoformat()},
                           content_type="application/json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["method"], body["hours"], body["status"], body["activity"]) == ("leader", "1.50", "pending", activity.pk)
    whole = client.post(url, {}, content_type="application/json").json()  # no times: the activity's whole time
    assert whole["hours"] == "3.00" and Attendance.objects.count() == 1
    backwards = client.post(url, {"checked_in_at": start.isoformat(), "checked_out_at": start.isoformat()},
                            content_type="application/json")
    assert backwards.status_code == 400 and backwards.json()["fields"]
    client.post(f"/api/volunteering/attendances/{whole['id']}/approve/")
    again = client.post(url, {}, content_type="application/json")
    assert again.status_code == 400 and again.json()["code"] == "already_verified"
    waiting = check_signup(make_volunteer("13900000063", "候补者").user, make_activity(capacity=1, title="满员"))
    other = check_signup(make_volunteer("13900000064", "第二位").user, waiting.session.activity)
    refused = client.post(f"/api/volunteering/signups/{other.pk}/mark/", {}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "not_confirmed"
