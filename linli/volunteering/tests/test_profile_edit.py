"""A volunteer keeps their own profile up to date: phone, political status, education, skills, service
areas, availability and area, with the registration's rules. The identity of the national record
(name, gender, ID type, ID number, date of birth) is not theirs to change: 400 `identity_not_editable`."""

import pytest
from django.http import Http404
from django.urls import reverse

from linli.volunteering.actions import IDENTITY_FIELDS, VolunteeringError, check_update_volunteer
from linli.volunteering.models import Volunteer

from .conftest import resident_id

ME = "/api/volunteering/volunteers/me/"


def test_the_volunteer_updates_their_profile_with_the_registration_rules(tree, volunteer):
    check_update_volunteer(volunteer.user, volunteer, phone="+86 139-0000-9999", political_status="league_member",
                           education="bachelor", skills="理发，急救, 理发", service_areas=["health"],
                           availability=" 周末 ", area=tree.community_b)
    volunteer = Volunteer.objects.get(pk=volunteer.pk)
    assert (volunteer.phone, volunteer.political_status, volunteer.education, volunteer.skills,
            volunteer.service_areas, volunteer.availability, volunteer.area) == (
        "13900009999", "league_member", "bachelor", ["理发", "急救"], ["health"], "周末", tree.community_b)
    # Only what is given changes.
    check_update_volunteer(volunteer.user, volunteer, availability="工作日晚上")
    assert Volunteer.objects.get(pk=volunteer.pk).skills == ["理发", "急救"]


@pytest.mark.parametrize("fields, field", [
    ({"phone": "12345"}, "phone"),
    ({"political_status": "king"}, "political_status"),
    ({"education": "phd"}, "education"),
    ({"service_areas": ["flying"]}, "service_areas"),
    ({"skills": [str(i) for i in range(30)]}, "skills"),
    ({"area": None}, "area"),
])
def test_bad_values_are_refused_as_at_registration(tree, volunteer, fields, field):
    if field == "area":
        fields = {"area": tree.grid_a1}  # a grid is not a community or street
    with pytest.raises(VolunteeringError) as refused:
        check_update_volunteer(volunteer.user, volunteer, **fields)
    assert (refused.value.code, refused.value.field) == ("invalid", field)


@pytest.mark.parametrize("field, value", [("name", "改名"), ("gender", "male"), ("id_type", "passport"),
                                          ("id_number", resident_id(55)), ("birth_date", "1980-01-01")])
def test_identity_fields_are_refused(volunteer, field, value):
    with pytest.raises(VolunteeringError) as refused:
        check_update_volunteer(volunteer.user, volunteer, **{field: value})
    assert (refused.value.code, refused.value.field) == ("identity_not_editable", field)


def test_nobody_else_edits_a_volunteers_profile(volunteer, make_volunteer, personas, leader, client):
    other = make_volunteer("13900000071", "另一位")
    for user in (other.user, leader, personas.resident, personas.outsider, personas.system_admin):
        with pytest.raises(Http404):
            check_update_volunteer(user, volunteer, availability="别人改的")
    assert Volunteer.objects.get(pk=volunteer.pk).availability == ""
    # The API edits only one's own record: there is no way to name another one.
    client.force_login(other.user)
    assert client.patch(ME, {"availability": "周末"}, content_type="application/json").status_code == 200
    assert Volunteer.objects.get(pk=volunteer.pk).availability == ""
    for user in (personas.resident, personas.outsider, leader):  # not registered
        client.force_login(user)
        response = client.patch(ME, {"availability": "周末"}, content_type="application/json")
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_editing_through_the_api_refuses_identity_fields_with_400(client, tree, volunteer):
    client.force_login(volunteer.user)
    response = client.patch(ME, {"phone": "13900008888", "skills": ["摄影"], "area": tree.street_b.code},
                            content_type="application/json")
    assert response.status_code == 200, response.json()
    assert (response.json()["phone"], response.json()["skills"], response.json()["area"]) == (
        "13900008888", ["摄影"], tree.street_b.code)
    before = Volunteer.objects.values(*IDENTITY_FIELDS).get(pk=volunteer.pk)
    for field, value in [("name", "改名"), ("id_number", resident_id(56)), ("birth_date", "1980-01-01"),
                         ("gender", "male"), ("id_type", "passport")]:
        refused = client.patch(ME, {field: value, "availability": "改了"}, content_type="application/json")
        assert refused.status_code == 400 and refused.json()["code"] == "identity_not_editable", field
        assert refused.json()["fields"] == {field: [refused.json()["message"]]}
    volunteer = Volunteer.objects.get(pk=volunteer.pk)
    assert Volunteer.objects.values(*IDENTITY_FIELDS).get(pk=volunteer.pk) == before
    assert volunteer.availability == ""  # all or nothing
    assert client.get(ME).json()["phone"] == "13900008888"


@pytest.mark.parametrize("body", [
    {"area": "nowhere"}, {"area": ["x"]}, {"phone": 12}, {"skills": "a" * 300}, {"skills": {"a": 1}},
    {"service_areas": ["flying"]}, {"education": None}, ["phone"], {"political_status": 10**30},
])
def test_junk_answers_a_json_error_never_a_500(client, volunteer, body):
    client.force_login(volunteer.user)
    response = client.patch(ME, body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert {"code", "message"} <= set(response.json())


def test_numbers_stay_unique_after_volunteers_move(tree, volunteer, make_volunteer):
    """The sequence counts numbers, not the people living in an area now."""
    second = make_volunteer("13900000072", "第二位")
    check_update_volunteer(volunteer.user, volunteer, area=tree.community_b)
    third = make_volunteer("13900000073", "第三位")
    assert len({volunteer.number, second.number, third.number}) == 3
    assert third.number == f"V{tree.community_a.code}00003"


def test_the_profile_page_shows_the_identity_and_edits_the_rest(client, tree, volunteer, personas):
    client.force_login(volunteer.user)
    url = reverse("volunteering:profile")
    assert url in client.get(reverse("volunteering:index")).content.decode()  # linked from the volunteer's pages
    page = client.get(url)
    html = page.content.decode()
    assert volunteer.name in html and volunteer.masked_id_number in html and volunteer.id_number not in html
    assert 'data-testid="identity-note"' in html
    form = page.context["form"]
    assert not set(IDENTITY_FIELDS) & set(form.fields)
    data = {"area": tree.community_a.pk, "phone": "13900007777", "political_status": "party_member",
            "education": "college", "skills": "理发, 摄影", "service_areas": ["elderly", "culture"],
            "availability": "周六上午", "name": "冒名", "id_number": resident_id(57)}
    bad = client.post(url, {**data, "phone": "123"})
    assert bad.status_code == 200 and 'data-testid="error-phone"' in bad.content.decode()
    assert client.post(url, data).status_code == 302
    saved = Volunteer.objects.get(pk=volunteer.pk)
    assert (saved.phone, saved.skills, saved.service_areas, saved.availability) == (
        "13900007777", ["理发", "摄影"], ["elderly", "culture"], "周六上午")
    assert (saved.name, saved.id_number) == (volunteer.name, volunteer.id_number)  # posted, not taken
    client.force_login(personas.resident)  # not registered: sent to register
    assert client.get(url).url == reverse("volunteering:register")
