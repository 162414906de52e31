"""Small things a person trips on: a choice with one option is made, no guessed personal data,
and registering from an activity leads back to it."""

import pytest
from django.urls import reverse

from linli.core.testing import make_person
from linli.volunteering import idnumbers

pytestmark = pytest.mark.django_db


def test_the_only_organizer_is_preselected_on_a_new_activity(client, leader, team):
    client.force_login(leader)
    form = client.get(reverse("volunteering:create")).context["form"]
    assert form.fields["organization"].initial == team.pk
    assert form.fields["organization"].empty_label is None


def test_registration_guesses_no_gender_and_returns_to_the_activity(client, tree, make_activity):
    activity = make_activity()
    resident = make_person("13900000099", "居民丙")
    client.force_login(resident)
    page = client.get(reverse("volunteering:activity", args=[activity.pk])).content.decode()
    register = f'{reverse("volunteering:register")}?next={reverse("volunteering:activity", args=[activity.pk])}'
    assert register.replace("/", "%2F").split("?")[0] in page or register in page.replace("%2F", "/")
    form = client.get(register).context["form"]
    assert form["gender"].value() in (None, "")
    assert '<option value="" selected>' in str(form["gender"])
    response = client.post(register, {
        "area": tree.community_a.pk, "name": "居民丙", "gender": "female", "id_type": "resident_id",
        "id_number": "35020319900101101" + idnumbers.check_char("35020319900101101"), "phone": "13900000099",
        "political_status": "masses",
        "next": reverse("volunteering:activity", args=[activity.pk])})
    assert response.status_code == 302 and response.url == reverse("volunteering:activity", args=[activity.pk])
    outside = client.post(reverse("volunteering:register"), {"next": "https://evil.example/"})
    assert outside.status_code in (200, 302) and "evil.example" not in outside.get("Location", "")
