"""Photos of the work done are served by the app to those who may open the order, never by a
public media URL (there is none: /media/ is not routed)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from linli.service_orders import actions

pytestmark = pytest.mark.django_db


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (90, 150, 90)).save(buffer, "JPEG")
    return SimpleUploadedFile("done.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def photo(settings, tmp_path, make_order, leader, members, personas):
    settings.MEDIA_ROOT = str(tmp_path)
    order = make_order("accepted")
    actions.perform(leader, order, "assign", volunteers=[members[0].pk])
    actions.perform(leader, order, "complete", note="打扫完毕", photos=[jpeg()])
    return order.photos.get()


def test_the_detail_page_shows_the_photo_through_the_app(client, photo, personas):
    client.force_login(personas.resident)
    page = client.get(reverse("service_orders:detail", args=[photo.order_id])).content.decode()
    assert reverse("service_orders:photo_thumb", args=[photo.pk]) in page and "/media/" not in page
    for name in ("service_orders:photo", "service_orders:photo_thumb"):
        response = client.get(reverse(name, args=[photo.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


@pytest.mark.parametrize("who", ["leader", "community_staff"])
def test_the_parties_see_it(client, photo, personas, leader, who):
    client.force_login(leader if who == "leader" else getattr(personas, who))
    assert client.get(reverse("service_orders:photo", args=[photo.pk])).status_code == 200


@pytest.mark.parametrize("who", ["outsider", "other_street_dispatcher", "other_leader", "member"])
def test_nobody_else_does(client, photo, personas, other_leader, members, who):
    user = {"other_leader": other_leader, "member": members[1]}.get(who) or getattr(personas, who)
    client.force_login(user)
    assert client.get(reverse("service_orders:photo", args=[photo.pk])).status_code == 404
    assert client.get(reverse("service_orders:photo_thumb", args=[photo.pk + 1000])).status_code == 404


def test_anonymous_is_sent_to_log_in(client, photo):
    response = client.get(reverse("service_orders:photo", args=[photo.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
