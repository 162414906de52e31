"""Volunteer registration: the national record's fields, a checked ID number, a public volunteer number,
the ID masked everywhere and revealed only to the team's leaders, each reveal recorded (PIPL)."""

import pytest
from django.urls import reverse

from linli.core.models import PersonalDataAccess
from linli.core.testing import make_person
from linli.volunteering import actions, idnumbers
from linli.volunteering.actions import VolunteeringError

from .conftest import resident_id


def test_the_resident_id_checksum_is_checked():
    assert idnumbers.is_valid_resident_id("11010519491231002X")  # the standard's own example
    assert not idnumbers.is_valid_resident_id("110105194912310021")  # wrong check character
    assert not idnumbers.is_valid_resident_id("11010519491331002X"[:17] + idnumbers.check_char("11010519491331002"))
    assert not idnumbers.is_valid_resident_id("1101051949123100")  # too short



def test_the_mask_never_shows_the_birth_date_digits():
    assert idnumbers.mask("350203199001011234") == "350***********1234"
    assert idnumbers.mask("11010519491231002X") == "110***********002X"
    for number in ("350203199001011234", "11010519491231002X"):
        assert number[6:14] not in idnumbers.mask(number) and number[3:14] not in idnumbers.mask(number)
    assert idnumbers.mask("E12345678") == "E******78"  # a passport: most of it hidden
    assert idnumbers.mask("A1234") == "*****" and idnumbers.mask("") == ""


def test_registration_gives_a_volunteer_number_and_takes_the_birth_date_from_the_id(tree, make_volunteer):
    first = make_volunteer("13900000031", "李华")
    second = make_volunteer("13900000032", "王芳")
    assert first.number == f"V{tree.community_a.code}00001" and second.number == f"V{tree.community_a.code}00002"
    assert first.birth_date.isoformat() == "1990-01-01"
    assert first.id_number not in first.number


@pytest.mark.parametrize("fields, code, field", [
    ({"id_number": "350203199001011235"}, "bad_id_number", "id_number"),
    ({"id_number": "3502031990"}, "bad_id_number", "id_number"),
    ({"gender": "other"}, "invalid", "gender"),
    ({"service_areas": ["flying"]}, "invalid", "service_areas"),
])
def test_bad_registrations_are_refused_with_the_field(tree, make_volunteer, fields, code, field):
    with pytest.raises(VolunteeringError) as refused:
        make_volunteer("13900000033", "张三", **fields)
    assert (refused.value.code, refused.value.field) == (code, field)


def test_one_id_number_registers_once(tree, make_volunteer):
    make_volunteer("13900000034", "甲", id_number=resident_id(7))
    with pytest.raises(VolunteeringError) as refused:
        make_volunteer("13900000035", "乙", id_number=resident_id(7))
    assert refused.value.code == "duplicate_id"


def test_the_volunteer_sees_their_own_date_of_birth(client, volunteer):
    client.force_login(volunteer.user)
    me = client.get("/api/volunteering/volunteers/me/").json()
    assert me["birth_date"] == "1990-01-01" and me["id_number"] == volunteer.masked_id_number


def test_registering_through_the_api(client, tree, personas):
    client.force_login(personas.resident)
    body = {"area": tree.community_a.code, "gender": "male", "id_number": resident_id(9).lower(),
            "skills": ["理发"], "service_areas": ["elderly"]}
    response = client.post("/api/volunteering/volunteers/register/", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["id_number"] == idnumbers.mask(resident_id(9))
    again = client.post("/api/volunteering/volunteers/register/", body, content_type="application/json")
    assert again.status_code == 400 and again.json()["code"] == "already_registered"
    bad = client.post("/api/volunteering/volunteers/register/", {**body, "area": "nowhere"}, content_type="application/json")
    assert bad.status_code == 400 and set(bad.json()) >= {"code", "message"}


def test_lists_and_api_show_the_id_masked(client, leader, volunteer, make_activity):
    from linli.volunteering.actions import check_signup

    check_signup(volunteer.user, make_activity())
    client.force_login(leader)
    listed = client.get("/api/volunteering/volunteers/").json()["results"]
    assert [v["id_number"] for v in listed] == [volunteer.masked_id_number]
    assert volunteer.id_number not in client.get("/api/volunteering/volunteers/").content.decode()
    detail = client.get(f"/api/volunteering/volunteers/{volunteer.number}/").json()
    assert detail["id_number"] == "350***********" + volunteer.id_number[-4:]
    # The date of birth is the ID's digits 7-14: with the area code and the kept ends it gave the number back.
    assert "birth_date" not in listed[0] and "birth_date" not in detail
    body = client.get("/api/volunteering/volunteers/").content.decode()
    assert "1990-01-01" not in body and "19900101" not in body
    activity_id = volunteer.user.enrolments.get().session_id
    page = client.get(reverse("volunteering:roster", args=[activity_id])).content.decode()
    assert volunteer.masked_id_number in page and volunteer.id_number not in page
    assert not PersonalDataAccess.objects.exists()


def test_the_team_leader_reveals_it_and_every_reveal_is_recorded(client, leader, volunteer, make_activity):
    actions.check_signup(volunteer.user, make_activity())
    client.force_login(leader)
    response = client.post(f"/api/volunteering/volunteers/{volunteer.number}/reveal-id/")
    assert response.json() == {"id_number": volunteer.id_number}
    page = client.post(reverse("volunteering:reveal_id", args=[volunteer.number]))
    assert volunteer.id_number in page.content.decode()
    rows = list(PersonalDataAccess.objects.values_list("viewer", "subject", "field", "ip"))
    assert rows == [(leader.pk, f"volunteer:{volunteer.number}", "id_number", "127.0.0.1")] * 2


def test_nobody_else_may_reveal_it(client, personas, team, volunteer, make_activity):
    actions.check_signup(volunteer.user, make_activity())
    other_team_leader = make_person("13900000040", "别队队长")
    for user in (personas.resident, personas.grid_worker, personas.community_staff, personas.street_dispatcher,
                 personas.department_handler, personas.org_admin, personas.outsider, volunteer.user, other_team_leader):
        client.force_login(user)
        response = client.post(f"/api/volunteering/volunteers/{volunteer.number}/reveal-id/")
        assert response.status_code == 404, user
        assert response.json()["code"] == "not_found"
        assert client.get("/api/volunteering/volunteers/").json()["results"] == []
    assert not PersonalDataAccess.objects.exists()
