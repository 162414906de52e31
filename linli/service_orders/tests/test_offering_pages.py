"""The leader's menu management pages: list, add, edit; 404 for everyone else."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.service_orders import actions
from linli.service_orders.models import ServiceOffering

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def form_data(tree, team, **overrides):
    data = {"team": team.pk, "name": "义剪", "kind": "haircut", "description": "每月第一个周六",
            "areas": [tree.community_a.pk], "active": "on"}
    data.update(overrides)
    return data


def test_a_leader_adds_and_edits_an_offering_and_residents_see_it(client, tree, personas, team, leader):
    signed_in(client, leader)
    board = client.get(reverse("service_orders:team")).content.decode()
    assert reverse("service_orders:offerings") in board
    new_page = client.get(reverse("service_orders:offering_new")).content.decode()
    assert "坑内社区" in new_page and "开元街道" in new_page and "文安社区" not in new_page

    response = client.post(reverse("service_orders:offering_new"), form_data(tree, team))
    assert response.status_code == 302 and response["Location"] == reverse("service_orders:offerings")
    offering = ServiceOffering.objects.get()
    assert (offering.team, offering.name, offering.kind, offering.active) == (team, "义剪", "haircut", True)
    assert list(offering.areas.all()) == [tree.community_a]
    listing = client.get(reverse("service_orders:offerings")).content.decode()
    assert "义剪" in listing and reverse("service_orders:offering_edit", args=[offering.pk]) in listing

    signed_in(client, personas.resident)
    assert "义剪" in client.get(reverse("service_orders:menu")).content.decode()

    signed_in(client, leader)
    edit_url = reverse("service_orders:offering_edit", args=[offering.pk])
    assert 'value="义剪"' in client.get(edit_url).content.decode()
    response = client.post(edit_url, form_data(tree, team, name="爱心义剪", areas=[tree.street_a.pk]))
    assert response.status_code == 302
    offering.refresh_from_db()
    assert offering.name == "爱心义剪" and list(offering.areas.all()) == [tree.street_a]
    signed_in(client, personas.resident)
    assert "爱心义剪" in client.get(reverse("service_orders:menu")).content.decode()

    # Taken off the menu: residents no longer see it, the leader still does.
    signed_in(client, leader)
    client.post(edit_url, {k: v for k, v in form_data(tree, team, name="爱心义剪").items() if k != "active"})
    offering.refresh_from_db()
    assert offering.active is False
    assert "爱心义剪" in client.get(reverse("service_orders:offerings")).content.decode()
    signed_in(client, personas.resident)
    assert "爱心义剪" not in client.get(reverse("service_orders:menu")).content.decode()


def test_errors_show_on_the_form_and_nothing_is_saved(client, tree, team, leader):
    signed_in(client, leader)
    url = reverse("service_orders:offering_new")
    response = client.post(url, form_data(tree, team, name="   "))
    assert response.status_code == 200 and response.context["form"].errors["name"]
    response = client.post(url, form_data(tree, team, areas=[]))
    assert response.status_code == 200 and response.context["form"].errors["areas"]
    # Another street's community is not among the team's areas.
    response = client.post(url, form_data(tree, team, areas=[tree.community_b.pk]))
    assert response.status_code == 200 and response.context["form"].errors["areas"]
    response = client.post(url, form_data(tree, team, kind="massage"))
    assert response.status_code == 200 and response.context["form"].errors["kind"]
    assert not ServiceOffering.objects.exists()


def test_a_leader_of_two_teams_keeps_areas_inside_the_chosen_team(client, tree, team, leader, other_team):
    from linli.accounts.actions import do_assign_role
    from linli.accounts.choices import Role

    do_assign_role(leader, Role.VOLUNTEER_TEAM_LEADER, organization=other_team)
    signed_in(client, leader)
    url = reverse("service_orders:offering_new")
    page = client.get(url).content.decode()
    assert "坑内社区" in page and "文安社区" in page
    response = client.post(url, form_data(tree, team, areas=[tree.community_b.pk]))
    assert response.status_code == 200 and response.context["form"].errors["areas"]
    response = client.post(url, form_data(tree, other_team, areas=[tree.community_b.pk]))
    assert response.status_code == 302 and ServiceOffering.objects.get().team == other_team


def test_the_team_of_an_offering_cannot_be_changed(client, tree, team, leader, offering, other_team):
    signed_in(client, leader)
    url = reverse("service_orders:offering_edit", args=[offering.pk])
    response = client.post(url, form_data(tree, other_team))
    assert response.status_code == 302
    offering.refresh_from_db()
    assert offering.team == team and offering.name == "义剪"


@pytest.mark.parametrize("persona", ["resident", "outsider", "community_staff", "street_dispatcher"])
def test_people_who_lead_no_team_get_404_on_every_page(client, tree, personas, team, offering, persona):
    signed_in(client, getattr(personas, persona))
    edit_url = reverse("service_orders:offering_edit", args=[offering.pk])
    for url in (reverse("service_orders:offerings"), reverse("service_orders:offering_new"), edit_url):
        assert client.get(url).status_code == 404
        assert client.post(url, form_data(tree, team, name="被改了")).status_code == 404
    offering.refresh_from_db()
    assert offering.name == "上门家政" and ServiceOffering.objects.count() == 1


def test_another_teams_leader_cannot_open_or_write_the_offering(client, tree, team, offering, other_leader):
    signed_in(client, other_leader)
    edit_url = reverse("service_orders:offering_edit", args=[offering.pk])
    assert client.get(edit_url).status_code == 404
    assert client.post(edit_url, form_data(tree, team, name="被改了")).status_code == 404
    # Adding to a team they do not lead: the team is not among the form's choices.
    response = client.post(reverse("service_orders:offering_new"), form_data(tree, team, name="冒名"))
    assert response.status_code == 200 and response.context["form"].errors["team"]
    offering.refresh_from_db()
    assert offering.name == "上门家政" and ServiceOffering.objects.count() == 1


def test_another_teams_leader_does_not_see_the_offering(client, other_leader, offering):
    signed_in(client, other_leader)
    listing = client.get(reverse("service_orders:offerings"))
    assert listing.status_code == 200 and "上门家政" not in listing.content.decode()


def test_anonymous_is_sent_to_sign_in(client, offering):
    response = client.get(reverse("service_orders:offerings"))
    assert response.status_code == 302


def test_edit_of_an_unknown_or_huge_id_is_a_404(client, leader):
    signed_in(client, leader)
    for pk in (999999, 2**70):
        assert client.get(f"/service-orders/menu/manage/{pk}/").status_code == 404


def test_the_list_costs_the_same_whatever_the_offerings(client, tree, team, leader, offering,
                                                      django_assert_max_num_queries):
    signed_in(client, leader)
    url = reverse("service_orders:offerings")
    client.get(url)  # warm the session and the user
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(6):
        actions.check_save_offering(leader, team, name=f"服务{n}", kind="repair",
                                    areas=[tree.community_a, tree.street_a])
    with django_assert_max_num_queries(len(one)):
        page = client.get(url)
    assert page.content.decode().count('data-testid="edit-offering-') == 7


def test_community_staff_see_the_services_offered_in_their_area_read_only(
        client, tree, personas, team, leader, offering, other_team, other_leader, django_assert_max_num_queries):
    street_wide = actions.check_save_offering(leader, team, name="助浴", kind="elderly_home_visit", areas=[tree.street_a],
                                              active=False)
    elsewhere = actions.check_save_offering(other_leader, other_team, name="义剪", kind="haircut",
                                            areas=[tree.community_b])
    url = reverse("service_orders:area_menu")
    signed_in(client, personas.community_staff)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        page = client.get(url).content.decode()
    assert offering.name in page and street_wide.name in page and elsewhere.name not in page
    assert 'data-testid="add-offering"' not in page and "edit-offering-" not in page
    for n in range(4):
        actions.check_save_offering(leader, team, name=f"服务{n}", kind="repair", areas=[tree.community_a])
    with django_assert_max_num_queries(len(one)):
        assert client.get(url).content.decode().count("服务") >= 4
    signed_in(client, personas.other_street_dispatcher)
    page = client.get(url).content.decode()
    assert elsewhere.name in page and offering.name not in page
    for persona in ("resident", "grid_worker", "department_handler", "outsider"):
        signed_in(client, getattr(personas, persona))
        assert client.get(url).status_code == 404, persona
    signed_in(client, leader)
    assert client.get(url).status_code == 404
