"""The phone pages: the menu and order form, my orders, the dispatch desk, the team's board, the detail
with its action forms."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.service_orders.models import ServiceOrder

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def test_a_resident_orders_on_the_menu_page_and_follows_it(client, personas, offering):
    signed_in(client, personas.resident)
    page = client.get(reverse("service_orders:menu"))
    assert page.status_code == 200 and "上门家政" in page.content.decode()
    start = timezone.localtime() + timedelta(days=1)
    response = client.post(reverse("service_orders:menu"), {
        "area": "350203001001", "offering": offering.pk, "address": "坑内路 8 号",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    })
    order = ServiceOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("service_orders:detail", args=[order.pk])
    detail = client.get(response["Location"]).content.decode()
    assert 'data-testid="action-cancel"' in detail and 'data-testid="timeline"' in detail
    assert "坑内路 8 号" in client.get(reverse("service_orders:mine")).content.decode()


def test_the_order_form_shows_the_actions_refusal(client, personas, offering):
    signed_in(client, personas.resident)
    start = timezone.localtime() + timedelta(days=1)
    response = client.post(reverse("service_orders:menu"), {
        "area": "350203001001", "kind": "haircut", "address": "坑内路 8 号",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": start.strftime("%Y-%m-%dT%H:%M"),
    })
    assert response.status_code == 200 and not ServiceOrder.objects.exists()
    assert response.context["form"].errors["ends_at"]


def test_dispatch_grab_and_finish_through_the_pages(client, make_order, personas, team, leader, members):
    order = make_order()
    signed_in(client, personas.community_staff)
    assert str(order.pk) in client.get(reverse("service_orders:dispatch")).content.decode()
    client.post(reverse("service_orders:act", args=[order.pk]), {"action": "publish"})
    signed_in(client, leader)
    board = client.get(reverse("service_orders:team")).content.decode()
    assert 'data-testid="grab-board"' in board
    client.post(reverse("service_orders:act", args=[order.pk]), {"action": "grab"})
    client.post(reverse("service_orders:act", args=[order.pk]),
                {"action": "assign", "volunteers": [members[0].pk]})
    client.post(reverse("service_orders:act", args=[order.pk]), {"action": "complete", "note": "好了"})
    client.post(reverse("service_orders:act", args=[order.pk]),
                {"action": "record_hours", f"hours_{members[0].pk}": "1.5"})
    order.refresh_from_db()
    assert order.status == "done" and order.team == team
    assert order.assignments.get().points == 15
    page = client.get(reverse("service_orders:detail", args=[order.pk])).content.decode()
    assert 'data-testid="action-correct_hours"' in page and f'name="hours_{members[0].pk}" ' in page
    client.post(reverse("service_orders:act", args=[order.pk]),
                {"action": "correct_hours", f"hours_{members[0].pk}": "2", "reason": "多服务了半小时"})
    assert order.assignments.get().points == 20
    refused = client.post(reverse("service_orders:act", args=[order.pk]), {"action": "complete"}, follow=True)
    assert refused.status_code == 200 and [m.level_tag for m in refused.context["messages"]][-1] == "error"


@pytest.mark.parametrize("persona,page,status", [
    ("grid_worker", "service_orders:dispatch", 404),
    ("resident", "service_orders:team", 404),
    ("community_staff", "service_orders:dispatch", 200),
    ("outsider", "service_orders:menu", 200),
])
def test_pages_by_role(client, personas, persona, page, status):
    signed_in(client, getattr(personas, persona))
    assert client.get(reverse(page)).status_code == status


def test_someone_elses_order_is_a_404(client, make_order, personas, other_leader):
    order = make_order()
    for user in (personas.outsider, personas.grid_worker, personas.other_street_dispatcher, other_leader):
        signed_in(client, user)
        assert client.get(reverse("service_orders:detail", args=[order.pk])).status_code == 404
        assert client.post(reverse("service_orders:act", args=[order.pk]), {"action": "cancel"}).status_code == 404
    order.refresh_from_db()
    assert order.status == "ordered"


def test_home_tiles_lead_to_the_service_pages(client, personas, leader):
    signed_in(client, personas.resident)
    assert reverse("service_orders:menu") in client.get("/").content.decode()
    signed_in(client, leader)
    assert reverse("service_orders:team") in client.get("/").content.decode()
