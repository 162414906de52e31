"""A team leader reaches their team from the home page: members, the team's
service menu with where and when it serves."""

import pytest
from django.urls import reverse

from linli.core.testing import make_person
from linli.service_orders import actions as order_actions

pytestmark = pytest.mark.django_db


def test_the_leader_home_leads_to_the_team_and_its_menu(client, tree, team, leader):
    order_actions.check_save_offering(leader, team, name="上门理发", kind="haircut", areas=[tree.community_a],
                                      available="每周六上午 9:00–11:30")
    applicant = make_person("13900000081", "报名者")
    client.force_login(leader)
    home = client.get(reverse("home")).content.decode()
    assert reverse("volunteering:my_teams") in home and reverse("service_orders:offerings") in home
    page = client.get(reverse("volunteering:my_teams")).content.decode()
    assert team.name in page and reverse("volunteering:manage_team", args=[team.pk]) in page
    menu = client.get(reverse("service_orders:offerings")).content.decode()
    assert "每周六上午 9:00–11:30" in menu
    client.force_login(applicant)  # not a leader: not their page
    assert client.get(reverse("volunteering:my_teams")).status_code == 404
