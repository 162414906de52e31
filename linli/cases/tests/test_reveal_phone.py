"""The reporter's full phone: shown masked, revealed on request to those who may see who
reported, and every reveal recorded (PIPL)."""

import pytest
from django.urls import reverse

from linli.core.models import PersonalDataAccess


@pytest.fixture
def walk_in_case(report, personas):
    """A walk-in report on behalf of a resident who gave a phone number and allowed their name."""
    return report(
        actor=personas.street_dispatcher, channel="walk_in", reporter_name="陈先生", reporter_phone="13712340001",
        show_reporter_name=True,
    )


def reveal(client, user, case, htmx=True):
    client.force_login(user)
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("cases:reveal_phone", args=[case.number]), headers=headers)


def test_the_page_shows_the_number_masked_and_a_reveal_button(client, personas, walk_in_case):
    client.force_login(personas.street_dispatcher)
    page = client.get(reverse("cases:detail", args=[walk_in_case.number])).content.decode()
    assert "137****0001" in page and "13712340001" not in page
    assert 'data-testid="reveal-phone"' in page
    assert not PersonalDataAccess.objects.exists()  # looking at the page records nothing


def test_a_dispatcher_reveals_it_and_the_access_is_recorded(client, personas, walk_in_case):
    response = reveal(client, personas.street_dispatcher, walk_in_case)
    assert response.status_code == 200 and "13712340001" in response.content.decode()
    reveal(client, personas.street_dispatcher, walk_in_case, htmx=False)
    records = list(PersonalDataAccess.objects.order_by("id").values_list("viewer", "subject", "field", "ip"))
    expected = (personas.street_dispatcher.pk, f"case:{walk_in_case.number}:reporter", "phone", "127.0.0.1")
    assert records == [expected, expected]  # every reveal, not just the first


def test_the_grid_worker_may_when_the_reporter_allowed_their_name(client, personas, walk_in_case, report):
    assert reveal(client, personas.grid_worker, walk_in_case).status_code == 200
    private = report(actor=personas.resident)  # the resident's own report, name not shown
    assert reveal(client, personas.grid_worker, private).status_code == 404
    assert reveal(client, personas.street_dispatcher, private).status_code == 200  # the account's number
    assert PersonalDataAccess.objects.filter(subject=f"case:{private.number}:reporter").count() == 1


@pytest.mark.parametrize("persona", ["other_street_dispatcher", "outsider", "department_handler", "org_admin"])
def test_others_get_a_404_and_nothing_is_recorded(client, personas, walk_in_case, persona):
    assert reveal(client, getattr(personas, persona), walk_in_case).status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_the_reporter_has_nothing_to_reveal(client, personas, report):
    own = report(actor=personas.resident)
    assert reveal(client, personas.resident, own).status_code == 404


def test_get_is_not_allowed(client, personas, walk_in_case):
    client.force_login(personas.street_dispatcher)
    assert client.get(reverse("cases:reveal_phone", args=[walk_in_case.number])).status_code == 405
