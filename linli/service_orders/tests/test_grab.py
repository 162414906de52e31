"""抢单: the first team to grab a published order wins, atomically."""

import threading

import pytest
from django.db import connection, connections

from linli.accounts.choices import Role
from linli.accounts.models import User
from linli.core.testing import make_person
from linli.orgs.actions import do_create_organization
from linli.service_orders import actions
from linli.service_orders.errors import ActionNotAllowed
from linli.service_orders.models import ServiceOrder, ServiceOrderEvent


@pytest.fixture
def second_team(tree):
    """A district-wide team whose offering serves community A: it may grab there too."""
    team = do_create_organization(parent=None, name="思明理发队", kind="volunteer_team", area=tree.district)
    boss = make_person("13900000040", "队长丙", Role.VOLUNTEER_TEAM_LEADER, organization=team)
    actions.check_save_offering(boss, team, name="上门理发", kind="haircut", areas=[tree.community_a])
    return team, boss


@pytest.mark.django_db
def test_a_stale_second_grab_is_refused(make_order, leader, second_team):
    order = make_order(published=True)
    stale = ServiceOrder.objects.get(pk=order.pk)
    actions.perform(leader, order, "grab")
    with pytest.raises(ActionNotAllowed) as refused:
        actions.perform(second_team[1], stale, "grab")
    assert refused.value.status == "accepted"
    assert ServiceOrderEvent.objects.filter(order=order, action="grab").count() == 1


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_teams_grab_at_once_and_exactly_one_wins(make_order, leader, team, second_team):
    grabbers = {leader.pk: team.pk, second_team[1].pk: second_team[0].pk}
    for _round in range(5):
        order = make_order(published=True)
        barrier = threading.Barrier(len(grabbers))
        outcomes = {}

        def grab(user_id, order_id=order.pk, outcomes=outcomes, barrier=barrier):
            try:
                user = User.objects.get(pk=user_id)
                mine = ServiceOrder.objects.get(pk=order_id)
                barrier.wait(timeout=10)
                actions.perform(user, mine, "grab")
                outcomes[user_id] = "won"
            except ActionNotAllowed:
                outcomes[user_id] = "refused"
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                outcomes[user_id] = repr(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=grab, args=(user_id,)) for user_id in grabbers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(outcomes.values()) == ["refused", "won"], outcomes
        winner = next(pk for pk, outcome in outcomes.items() if outcome == "won")
        fresh = ServiceOrder.objects.get(pk=order.pk)
        assert (fresh.status, fresh.team_id, fresh.published_at) == ("accepted", grabbers[winner], None)
        assert ServiceOrderEvent.objects.filter(order=order, action="grab").count() == 1
