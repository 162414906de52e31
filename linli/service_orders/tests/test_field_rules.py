"""Rules from the field: an order goes to a team that offers its service, only such teams grab it,
it is done only after its booked start, and hours stay inside the booked window."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.cases.tests.api_support import client_for
from linli.core import outbox
from linli.core.models import Notification
from linli.service_orders import actions
from linli.service_orders.errors import ServiceNotOffered, ServiceOrderError
from linli.service_orders.models import ServiceOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def speakers(tree, make_team):
    """红色宣讲团: a team in community A that offers talks (其他服务), not housekeeping."""
    return make_team("红色宣讲团", tree.community_a, ("13900000050", "宣讲队长"), ("政策宣讲", "other"))


@pytest.fixture
def cleaners(tree, make_team):
    """A second team that offers housekeeping in community A."""
    return make_team("阿姨帮保洁队", tree.street_a, ("13900000060", "保洁队长"), ("居家保洁", "housekeeping"))


def test_the_dispatch_form_names_the_chosen_team_and_offers_only_teams_of_the_service(
        client, make_order, personas, team, speakers, cleaners):
    order = make_order()
    client.force_login(personas.community_staff)
    page = client.get(reverse("service_orders:detail", args=[order.pk])).content.decode()
    assert 'data-testid="offering-team">巾帼志愿服务队<' in page
    main = page[page.index('data-testid="dispatch-team"'):]
    main = main[:main.index("</select>")]
    assert f'<option value="{team.pk}" selected>' in main  # the resident's choice, preselected
    assert f'value="{cleaners[0].pk}"' in main
    assert f'value="{speakers[0].pk}"' not in main  # talks are not housekeeping
    other = page[page.index('data-testid="dispatch-other-team"'):]
    other = other[:other.index("</select>")]
    assert f'value="{speakers[0].pk}"' in other and " selected" not in other


def test_dispatching_to_a_team_of_another_service_needs_a_deliberate_choice(make_order, personas, speakers):
    order = make_order()
    with pytest.raises(ServiceOrderError) as refused:
        actions.perform(personas.community_staff, order, "dispatch", team=speakers[0])
    assert refused.value.code == "team_not_offering"
    assert ServiceOrder.objects.get(pk=order.pk).status == "ordered"
    actions.perform(personas.community_staff, order, "dispatch", team=speakers[0], other_kind=True)
    assert (order.status, order.team) == ("dispatched", speakers[0])


def test_only_a_team_of_the_service_grabs_page_and_api(client, make_order, leader, speakers, cleaners):
    order = make_order(published=True)
    boss = speakers[1]
    client.force_login(boss)
    assert client.get(reverse("service_orders:team")).content.decode().count(f"/service-orders/{order.pk}/") == 0
    assert client.get(reverse("service_orders:detail", args=[order.pk])).status_code == 404
    response = client_for(boss).post(f"/api/service-orders/orders/{order.pk}/actions/", {"action": "grab"},
                                     format="json")
    assert response.status_code == 403 and response.json()["code"] == "service_not_offered"
    page = client.post(reverse("service_orders:act", args=[order.pk]), {"action": "grab"}, follow=True)
    assert "不提供这项服务" in page.content.decode()
    with pytest.raises(ServiceNotOffered):
        actions.refuse_grab(boss, order.pk)
    assert ServiceOrder.objects.get(pk=order.pk).team_id is None

    client.force_login(cleaners[1])  # a team that offers housekeeping there sees the button and takes it
    detail = client.get(reverse("service_orders:detail", args=[order.pk])).content.decode()
    assert 'data-testid="action-grab"' in detail
    assert client_for(cleaners[1]).post(f"/api/service-orders/orders/{order.pk}/actions/", {"action": "grab"},
                                        format="json").status_code == 200


def test_completion_before_the_booked_start_is_refused(make_order, leader, members):
    start = timezone.now() + timedelta(hours=7, minutes=30)
    order = make_order(status="accepted", starts_at=start)
    actions.perform(leader, order, "assign", volunteers=[members[0].pk])
    with pytest.raises(ServiceOrderError) as refused:
        actions.perform(leader, order, "complete", note="提前完成")
    assert refused.value.code == "not_started"
    order.refresh_from_db()
    assert order.status == "accepted" and order.done_at is None
    response = client_for(leader).post(f"/api/service-orders/orders/{order.pk}/actions/",
                                       {"action": "complete"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "not_started"


def test_hours_are_bounded_by_the_booked_window(make_order, leader, members):
    start = timezone.now() - timedelta(hours=1)
    order = make_order(status="done", starts_at=start, ends_at=start + timedelta(hours=1, minutes=30))
    with pytest.raises(ServiceOrderError) as refused:
        actions.perform(leader, order, "record_hours", hours={str(members[0].pk): "2"})
    assert refused.value.code == "bad_hours" and "1.5" in refused.value.message
    actions.perform(leader, order, "record_hours", hours={str(members[0].pk): "1.5"})
    assert order.assignments.get(user=members[0]).points == 15
    outbox.relay_pending()  # the volunteer is told the hours and the points credited
    told = Notification.objects.get(user=members[0], topic="service_order.record_hours")
    assert "1.5" in told.body and "15" in told.body


def test_the_residents_phone_is_masked_until_the_team_accepts_then_revealed_and_recorded(
        client, make_order, personas, team, leader, members):
    from linli.core.models import PersonalDataAccess

    phone = personas.resident.phone
    order = make_order(status="dispatched")
    client.force_login(leader)
    page = client.get(reverse("service_orders:detail", args=[order.pk])).content.decode()
    assert phone not in page and 'data-testid="resident-phone-masked"' in page and 'data-testid="reveal-phone"' not in page
    assert client.post(reverse("service_orders:reveal_phone", args=[order.pk])).status_code == 404
    assert not PersonalDataAccess.objects.exists()

    actions.perform(leader, order, "accept")
    actions.perform(leader, order, "assign", volunteers=[members[0].pk])
    for person in (leader, members[0]):  # the leader and the volunteer sent, who calls on arrival
        client.force_login(person)
        page = client.get(reverse("service_orders:detail", args=[order.pk])).content.decode()
        assert phone not in page and 'data-testid="reveal-phone"' in page
        shown = client.post(reverse("service_orders:reveal_phone", args=[order.pk]), HTTP_HX_REQUEST="true")
        assert shown.status_code == 200 and f'href="tel:{phone}"' in shown.content.decode()
    accesses = PersonalDataAccess.objects.order_by("id")
    assert [(a.viewer_id, a.subject, a.field) for a in accesses] == [
        (leader.pk, f"service_order:{order.pk}:resident", "phone"),
        (members[0].pk, f"service_order:{order.pk}:resident", "phone")]

    client.force_login(members[1])  # a member of the team not sent on it: not theirs
    assert client.get(reverse("service_orders:detail", args=[order.pk])).status_code == 404
    assert client.post(reverse("service_orders:reveal_phone", args=[order.pk])).status_code == 404
