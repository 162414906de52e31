"""抢单: the first team to grab a published order wins, atomically."""

import threading

import pytest
from django.db import connection, connections

from linli.accounts.choices import Role
from linli.accounts.models import User
from linli.core.testing import make_person
from linli.service_orders import actions
from linli.service_orders.errors import ActionNotAllowed, OrderTaken
from linli.service_orders.models import ServiceOrder, ServiceOrderEvent


@pytest.fixture
def second_team(tree, make_team):
    """A district-wide team that also offers housekeeping in community A: it may grab there too."""
    return make_team("思明家政队", tree.district, ("13900000040", "队长丙"), ("上门保洁", "housekeeping"))


@pytest.mark.django_db
def test_a_stale_second_grab_is_refused(make_order, leader, second_team):
    order = make_order(published=True)
    stale = ServiceOrder.objects.get(pk=order.pk)
    actions.perform(leader, order, "grab")
    with pytest.raises(ActionNotAllowed) as refused:
        actions.perform(second_team[1], stale, "grab")
    assert refused.value.status == "accepted"
    assert isinstance(refused.value, OrderTaken)  # "another team took it first", as for a later loser
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


def _grab_over_api(user, order, team_id):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client.post(f"/api/service-orders/orders/{order.pk}/actions/", {"action": "grab", "team": team_id},
                       format="json")


@pytest.mark.django_db
def test_the_loser_of_a_grab_gets_409_not_404(make_order, leader, team, second_team):
    order = make_order(published=True)
    assert _grab_over_api(leader, order, team.pk).status_code == 200
    lost = _grab_over_api(second_team[1], order, second_team[0].pk)
    assert lost.status_code == 409, lost.content
    assert lost.json()["code"] == "action_not_allowed"
    assert lost.json()["allowed_actions"] == []
    # Someone who never could grab it still learns nothing: 404.
    stranger = make_person("13900000041", "居民丁", Role.RESIDENT)
    assert _grab_over_api(stranger, order, second_team[0].pk).status_code == 404


@pytest.mark.django_db
def test_the_loser_on_the_page_is_told_another_team_took_it(client, make_order, leader, team, second_team):
    order = make_order(published=True)
    actions.perform(leader, order, "grab", team=team.pk)
    client.force_login(second_team[1])
    response = client.post(f"/service-orders/{order.pk}/act/", {"action": "grab", "team": second_team[0].pk},
                           follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["这个订单已被其他服务队抢先接走了。"]


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_grab_race_over_the_api_one_200_the_rest_409(make_order, leader, team, second_team):
    grabbers = [(leader.pk, team.pk), (second_team[1].pk, second_team[0].pk)]
    for _round in range(5):
        order = make_order(published=True)
        barrier = threading.Barrier(len(grabbers))
        answers = {}

        def grab(user_id, team_id, order=order, answers=answers, barrier=barrier):
            try:
                user = User.objects.get(pk=user_id)
                barrier.wait(timeout=10)
                response = _grab_over_api(user, order, team_id)
                answers[user_id] = (response.status_code, response.json()["code"] if response.status_code >= 400 else None)
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                answers[user_id] = repr(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=grab, args=pair) for pair in grabbers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(answers.values(), key=str) == [(200, None), (409, "action_not_allowed")], answers
