"""抢单 on the detail page by a leader of several teams serving the area: the page asks which team
takes the order (before, the action silently picked the team with the lowest id)."""

import pytest
from django.urls import reverse

from linli.accounts.actions import do_assign_role
from linli.accounts.choices import Role
from linli.orgs.actions import do_create_organization
from linli.service_orders import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_team(tree, leader):
    """A second team offering housekeeping in community A, led by the same leader, created after `team`."""
    team = do_create_organization(parent=None, name="坑内保洁队", kind="volunteer_team", area=tree.community_a)
    do_assign_role(leader, Role.VOLUNTEER_TEAM_LEADER, organization=team)
    fresh = type(leader).objects.get(pk=leader.pk)  # the roles as they are now, not as cached on `leader`
    actions.check_save_offering(fresh, team, name="楼道保洁", kind="housekeeping", areas=[tree.community_a])
    return team


def test_a_leader_of_two_teams_chooses_which_one_grabs(client, make_order, leader, team, second_team):
    order = make_order(published=True)
    client.force_login(leader)
    page = client.get(reverse("service_orders:detail", args=[order.pk])).content.decode()
    form = page[page.index('data-testid="action-grab"'):]
    form = form[:form.index("</form>")]
    assert f'value="{team.pk}"' in form and f'value="{second_team.pk}"' in form

    client.post(reverse("service_orders:act", args=[order.pk]), {"action": "grab", "team": second_team.pk})
    order.refresh_from_db()
    assert order.status == "accepted" and order.team == second_team


def test_a_leader_of_one_team_just_grabs(client, make_order, leader, team):
    order = make_order(published=True)
    client.force_login(leader)
    page = client.get(reverse("service_orders:detail", args=[order.pk])).content.decode()
    form = page[page.index('data-testid="action-grab"'):]
    assert 'name="team"' not in form[:form.index("</form>")]
    client.post(reverse("service_orders:act", args=[order.pk]), {"action": "grab"})
    order.refresh_from_db()
    assert order.team == team


def test_a_team_the_leader_does_not_run_is_refused(client, make_order, leader, other_team):
    order = make_order(published=True)
    client.force_login(leader)
    client.post(reverse("service_orders:act", args=[order.pk]), {"action": "grab", "team": other_team.pk})
    order.refresh_from_db()
    assert order.status == "ordered" and order.team is None
    assert actions.allowed_actions(leader, order) == ["grab"]


def test_the_action_asks_a_leader_of_two_teams_which_one_grabs(make_order, leader, team, second_team):
    from linli.accounts.models import User
    from linli.service_orders.errors import ServiceOrderError

    order = make_order(published=True)
    leader = User.objects.get(pk=leader.pk)  # the fixture's object cached its teams before the second one
    with pytest.raises(ServiceOrderError) as ambiguous:
        actions.perform(leader, order, "grab")
    assert (ambiguous.value.code, ambiguous.value.field) == ("team_required", "team")
    actions.perform(leader, order, "grab", team=team.pk)
    assert order.team == team
