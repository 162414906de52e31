"""Rows written under an old schema survive each move:

- team memberships and join modes into orgs (one person ↔ organization table): each is an
  orgs.Membership afterwards with its status, its decider and its times; a role already held in
  orgs is merged, not doubled;
- service certificates onto core certificates: number, token, issuer and time kept, so a paper
  printed before still checks as genuine; and back again.
"""

from datetime import date, datetime, timezone

import pytest
from django.db import connection

from linli.core.testing import make_person, migrate_to, migrate_to_latest
from linli.orgs.actions import do_create_organization

BEFORE = [("volunteering", "0004_labels"), ("orgs", "0002_alter_membership_organization_alter_membership_user")]
AFTER = [("volunteering", "0005_memberships_into_orgs"), ("orgs", "0003_membership_states")]


@pytest.fixture(autouse=True)
def back_to_latest():
    yield
    migrate_to_latest()


def at(day, hour):
    return datetime(2026, 3, day, hour, tzinfo=timezone.utc)


@pytest.mark.django_db(transaction=True)
def test_team_memberships_and_join_modes_survive_the_move(tree):
    team = do_create_organization(parent=None, name="巾帼志愿服务队", kind="volunteer_team", area=tree.street_a)
    other = do_create_organization(parent=None, name="银发志愿服务队", kind="volunteer_team", area=tree.street_a)
    leader, u1, u2, u3, u4 = (make_person(f"1390000009{n}", f"人{n}") for n in range(5))

    old = migrate_to(BEFORE)
    TeamMembership = old.get_model("volunteering", "TeamMembership")
    OldMembership = old.get_model("orgs", "Membership")
    old.get_model("volunteering", "TeamSettings").objects.create(team_id=team.pk, join_mode="approval")
    OldMembership.objects.create(user_id=u1.pk, organization_id=team.pk, role="member", since=date(2025, 5, 1))
    OldMembership.objects.create(user_id=u2.pk, organization_id=team.pk, role="chair")
    rows = [
        (u1, team, "active", None, 1), (u2, team, "applied", None, 2), (u3, team, "left", leader, 3),
        (u4, other, "invited", leader, 4), (u1, other, "active", leader, 5),
    ]
    for user, organization, status, decided_by, day in rows:
        row = TeamMembership.objects.create(team_id=organization.pk, user_id=user.pk, status=status,
                                            decided_by_id=decided_by and decided_by.pk)
        TeamMembership.objects.filter(pk=row.pk).update(created_at=at(day, 8), updated_at=at(day, 9))
    before = {
        (r["user_id"], r["team_id"]): (r["status"], r["decided_by_id"], r["created_at"], r["updated_at"])
        for r in TeamMembership.objects.values()
    }
    assert len(before) == 5

    new = migrate_to(AFTER)
    Membership = new.get_model("orgs", "Membership")
    Organization = new.get_model("orgs", "Organization")
    after = {
        (r["user_id"], r["organization_id"]): (r["status"], r["decided_by_id"], r["created_at"], r["updated_at"])
        for r in Membership.objects.filter(role="member").values()
    }
    assert after == before
    assert Membership.objects.get(user_id=u1.pk, organization_id=team.pk, role="member").since == date(2025, 5, 1)
    chair = Membership.objects.get(user_id=u2.pk, organization_id=team.pk, role="chair")
    assert chair.status == "active"
    assert Membership.objects.count() == 6  # five team rows (one merged into the orgs row) and the chair
    modes = dict(Organization.objects.filter(pk__in=[team.pk, other.pk]).values_list("pk", "join_mode"))
    assert modes == {team.pk: "approval", other.pk: "open"}
    tables = connection.introspection.table_names()
    assert "volunteering_teammembership" not in tables and "volunteering_teamsettings" not in tables


@pytest.mark.django_db(transaction=True)
def test_service_certificates_become_core_certificates_and_still_check(tree, client):
    team = do_create_organization(parent=None, name="巾帼志愿服务队", kind="volunteer_team", area=tree.street_a)
    leader, person = make_person("13900000095", "队长"), make_person("13900000096", "王小红")
    old = migrate_to([("volunteering", "0005_memberships_into_orgs"), ("core", "0008_idempotency_record")])
    volunteer = old.get_model("volunteering", "Volunteer").objects.create(
        user_id=person.pk, number="V3502030000001", area_id=tree.street_a.pk, name="王小红", gender="female",
        id_number="350203199001011234", birth_date=date(1990, 1, 1), phone="13900000096")
    issued = at(5, 10)
    OldCertificate = old.get_model("volunteering", "ServiceCertificate")
    for n in (1, 2):
        OldCertificate.objects.create(
            number=f"ZYZM-2026-00000{n}", volunteer_id=volunteer.pk, organization_id=team.pk,
            date_from=date(2026, 1, 1), date_to=date(2026, 2, 28), hours="7.50",
            entries=[{"date": "2026-02-01", "title": "敬老院助餐", "hours": "7.50"}], issued_by_id=leader.pk,
            issued_at=issued, token=f"token-{n}-" + "x" * 40)

    migrate_to_latest()
    from linli.volunteering.models import ServiceCertificate

    rows = list(ServiceCertificate.objects.order_by("number"))
    assert [(c.number, c.token, c.issued_by_id, c.issued_at, c.hours, c.holder_id, c.holder_name, c.issuer_name,
             c.kind, c.status) for c in rows] == [
        (f"ZYZM-2026-00000{n}", f"token-{n}-" + "x" * 40, leader.pk, issued, 7.5, person.pk, "王小红",
         "巾帼志愿服务队", "volunteering.service", "issued") for n in (1, 2)]
    assert rows[0].entries[0]["title"] == "敬老院助餐" and rows[0].volunteer.number == "V3502030000001"
    # A paper printed before the move: its QR code's address still says genuine.
    page = client.get(f"/volunteering/certificates/verify/{rows[0].token}/")
    assert page.status_code == 200 and 'data-testid="verify-genuine"' in page.content.decode()

    back = migrate_to([("volunteering", "0005_memberships_into_orgs")])
    assert sorted(back.get_model("volunteering", "ServiceCertificate").objects.values_list("number", "token")) == [
        (f"ZYZM-2026-00000{n}", f"token-{n}-" + "x" * 40) for n in (1, 2)]


@pytest.mark.django_db(transaction=True)
def test_activities_venues_sign_ups_and_attendance_move_onto_the_enrolment_engine(tree):
    team = do_create_organization(parent=None, name="巾帼志愿服务队", kind="volunteer_team", area=tree.street_a)
    leader, first, second = (make_person(f"1390000008{n}", f"人{n}") for n in range(3))
    old = migrate_to([("volunteering", "0006_certificates_onto_core")])
    Activity, Venue = old.get_model("volunteering", "Activity"), old.get_model("volunteering", "Venue")
    Signup, Attendance = old.get_model("volunteering", "Signup"), old.get_model("volunteering", "Attendance")
    Activity.objects.create(
        id=41, organization_id=team.pk, title="敬老院助餐", service_area="elderly", area_id=tree.community_a.pk,
        place="开元街道敬老院", starts_at=at(5, 9), ends_at=at(5, 12), signup_opens_at=at(1, 8),
        signup_closes_at=at(5, 9), required_skills=["助餐"], points_per_hour=12, created_by_id=leader.pk)
    Activity.objects.filter(pk=41).update(created_at=at(1, 7))
    main = Venue.objects.create(id=7, activity_id=41, name="敬老院", is_main=True, capacity=1, lat=24.48, lng=118.09,
                                geofence_m=300)
    Venue.objects.create(id=8, activity_id=41, name="社区食堂", capacity=5)
    on_time = Signup.objects.create(id=90, activity_id=41, venue_id=main.pk, user_id=first.pk, status="confirmed")
    Signup.objects.create(id=91, activity_id=41, venue_id=main.pk, user_id=second.pk, status="waitlisted")
    Signup.objects.filter(pk=90).update(created_at=at(2, 10), reminded_at=at(4, 9))
    Signup.objects.filter(pk=91).update(created_at=at(2, 11))
    Attendance.objects.create(id=300, signup_id=on_time.pk, method="qr", checked_in_at=at(5, 9).replace(minute=25),
                              checked_out_at=at(5, 12), hours="2.58", status="approved", verified_by_id=leader.pk,
                              verified_at=at(5, 13), points=31)

    migrate_to_latest()
    from linli.enrolment.models import Attendance as NewAttendance
    from linli.enrolment.models import Enrolment
    from linli.enrolment.models import Venue as NewVenue
    from linli.volunteering.models import Activity as NewActivity

    moved = NewActivity.objects.get(pk=41)
    assert (moved.owner, moved.title, moved.starts_at, moved.points_per_hour, moved.required_skills,
            moved.created_at, moved.organization_id) == (
        "volunteering.activity:41", "敬老院助餐", at(5, 9), 12, ["助餐"], at(1, 7), team.pk)
    assert [(v.pk, v.name, v.is_main, v.capacity, v.geofence_m) for v in NewVenue.objects.filter(session=moved)] == [
        (7, "敬老院", True, 1, 300), (8, "社区食堂", False, 5, None)]
    assert sorted(Enrolment.objects.values_list("pk", "session_id", "venue_id", "user_id", "status", "created_at",
                                                "reminded_at")) == [
        (90, 41, 7, first.pk, "confirmed", at(2, 10), at(4, 9)), (91, 41, 7, second.pk, "waitlisted", at(2, 11), None)]
    attendance = NewAttendance.objects.get()
    assert (attendance.pk, attendance.enrolment_id, attendance.presence, str(attendance.hours), attendance.status,
            attendance.points, attendance.verified_by_id) == (300, 90, "late", "2.58", "approved", 31, leader.pk)
    # New rows continue after the moved ids (the sequences were reset).
    assert NewVenue.objects.create(session=moved, name="新分会场", capacity=3).pk > 8
    tables = connection.introspection.table_names()
    assert not {"volunteering_signup", "volunteering_venue", "volunteering_attendance"} & set(tables)
    NewVenue.objects.filter(name="新分会场").delete()

    back = migrate_to([("volunteering", "0006_certificates_onto_core")])
    assert list(back.get_model("volunteering", "Signup").objects.order_by("pk").values_list("pk", "status")) == [
        (90, "confirmed"), (91, "waitlisted")]
    assert back.get_model("volunteering", "Attendance").objects.get().points == 31
    assert back.get_model("volunteering", "Activity").objects.get().title == "敬老院助餐"
