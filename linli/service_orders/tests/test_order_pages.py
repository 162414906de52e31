"""The service-order pages at the case pages' level: the order form in steps with the photo picker
and no kind box once a service is chosen, the theme's tabs, one message after a grab, 待派 lists only
orders waiting for a team, and plain words in the rows."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from linli.service_orders import actions
from linli.service_orders.models import ServiceOrder
from linli.service_orders.tests.test_photos import jpeg

pytestmark = pytest.mark.django_db


def kind_box(page):
    match = re.search(r'<div class="mb-3"( hidden)? data-testid="kind-field"', page)
    assert match, "the kind box is on the page"
    return "hidden" if match.group(1) else "shown"


def test_the_kind_box_is_asked_only_while_no_service_is_chosen(client, personas, offering):
    client.force_login(personas.resident)
    assert kind_box(client.get(reverse("service_orders:menu")).content.decode()) == "shown"
    chosen = client.get(reverse("service_orders:menu"), {"offering": offering.pk}).content.decode()
    assert kind_box(chosen) == "hidden" and "js/service_orders.js" in chosen
    for junk in ("999999", "x", "%00"):
        page = client.get(reverse("service_orders:menu"), {"offering": junk})
        assert page.status_code == 200 and kind_box(page.content.decode()) == "shown"


def test_the_order_form_takes_photos_with_the_intake_photo_picker(client, personas, offering, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(personas.resident)
    page = client.get(reverse("service_orders:menu")).content.decode()
    assert "data-photo-picker" in page and "data-photo-input" in page and "js/cases_report.js" in page
    assert 'type="file" name="photos" accept="image/*" multiple class="form-control' not in page
    start = timezone.localtime() + timedelta(days=1)
    response = client.post(reverse("service_orders:menu"), {
        "area": "350203001001", "offering": offering.pk, "address": "坑内路 8 号", "photos": [jpeg()],
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    })
    order = ServiceOrder.objects.get()
    assert response.status_code == 302
    photo = order.photos.get()
    assert photo.event.action == "order"
    detail = client.get(reverse("service_orders:detail", args=[order.pk])).content.decode()
    assert reverse("service_orders:photo_thumb", args=[photo.pk]) in detail


def test_a_bad_photo_is_a_form_error_not_a_500(client, personas, offering):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(personas.resident)
    start = timezone.localtime() + timedelta(days=1)
    response = client.post(reverse("service_orders:menu"), {
        "area": "350203001001", "offering": offering.pk, "address": "坑内路 8 号",
        "photos": [SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")],
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    })
    assert response.status_code == 200 and not ServiceOrder.objects.exists()
    page = response.content.decode()
    assert 'data-testid="form-errors"' in page and 'data-testid="photos-lost"' in page


def test_the_tabs_use_the_theme_not_bootstrap_pills(client, personas, offering):
    client.force_login(personas.community_staff)
    for name in ("service_orders:menu", "service_orders:mine", "service_orders:dispatch", "service_orders:area_menu"):
        page = client.get(reverse(name)).content.decode()
        nav = page[page.index('data-testid="order-tabs"') - 60:]
        nav = nav[:nav.index("</nav>")]
        # the theme's tabs (as the case queue) in the shared row that wraps on a phone
        assert 'class="ll-tabs ll-tabrow"' in nav and "nav-pills" not in nav and 'class="ll-tab active"' in nav


def test_a_grab_leaves_one_message(client, make_order, leader):
    order = make_order(published=True)
    client.force_login(leader)
    response = client.post(reverse("service_orders:act", args=[order.pk]), {"action": "grab"})
    assert response.status_code == 302
    assert len(list(get_messages(response.wsgi_request))) == 1
    page = client.get(response["Location"]).content.decode()
    messages = page[page.index('class="ll-messages"'):page.index("</main>")]
    assert messages.count('role="status"') == 1


def test_waiting_for_dispatch_lists_only_orders_without_a_team(client, make_order, personas, leader):
    waiting, published = make_order(), make_order(published=True)
    dispatched, accepted, done = make_order("dispatched"), make_order("accepted"), make_order("done")
    client.force_login(personas.community_staff)
    rows = client.get(reverse("service_orders:dispatch")).context["page"].object_list
    assert {o.pk for o in rows} == {waiting.pk, published.pk}
    everything = client.get(reverse("service_orders:dispatch"), {"all": "1"}).context["page"].object_list
    assert {o.pk for o in everything} >= {waiting.pk, published.pk, dispatched.pk, accepted.pk, done.pk}


def test_rows_say_when_the_order_last_changed_not_how_many_steps(client, make_order, personas):
    order = make_order("accepted")
    client.force_login(personas.resident)
    page = client.get(reverse("service_orders:mine")).content.decode()
    row = page[page.index('data-testid="order-row"'):]
    assert "环节" not in row and "steps" not in row
    assert timezone.localtime(ServiceOrder.objects.get(pk=order.pk).updated_at).strftime("%m-%d %H:%M") in row


def test_the_done_form_uses_the_photo_picker(client, make_order, leader, members):
    order = make_order("accepted")
    actions.perform(leader, order, "assign", volunteers=[members[0].pk])
    client.force_login(leader)
    page = client.get(reverse("service_orders:detail", args=[order.pk])).content.decode()
    form = page[page.index('data-testid="action-complete"'):]
    form = form[:form.index("</form>")]
    assert "data-evidence-input" in form and 'type="file" name="photos" accept="image/*" multiple class="form-control' not in form
    assert "js/cases_detail.js" in page


def test_the_api_takes_the_orders_photos_too(personas, offering, settings, tmp_path):
    from linli.cases.tests.api_support import client_for, jpeg, not_an_image

    settings.MEDIA_ROOT = str(tmp_path)
    start = timezone.now() + timedelta(days=1)
    body = {"offering": offering.pk, "address": "坑内路 12 号", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat()}
    bad = client_for(personas.resident).post("/api/service-orders/orders/", {**body, "photos": [not_an_image()]},
                                             format="multipart")
    assert bad.status_code == 400 and bad.json()["fields"] and not ServiceOrder.objects.exists()
    response = client_for(personas.resident).post("/api/service-orders/orders/", {**body, "photos": [jpeg()]},
                                                  format="multipart")
    assert response.status_code == 201, response.json()
    assert ServiceOrder.objects.get().photos.count() == 1


@pytest.mark.parametrize("junk", ["\x00x", "٣٥٠٢", "35 02", "x" * 300])
def test_a_hostile_area_on_the_menu_page_is_no_500(client, personas, offering, junk):
    client.force_login(personas.resident)
    # a NUL byte may be refused before the view (400): what counts is no 500 and no order
    assert client.get(reverse("service_orders:menu"), {"area": junk}).status_code in (200, 400)
    start = timezone.localtime() + timedelta(days=1)
    response = client.post(reverse("service_orders:menu"), {
        "area": junk, "offering": offering.pk, "address": "坑内路 8 号",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    })
    assert response.status_code in (200, 400) and not ServiceOrder.objects.exists()
    if response.status_code == 200:
        assert response.context["form"].errors["area"]
