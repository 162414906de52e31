"""Areas in the Django admin: writes go through the actions, the parent follows the code."""

import pytest
from django.urls import reverse

from linli.places.models import Area

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, tree):
    from linli.accounts.models import User

    user = User.objects.create_superuser(phone="13900000098", name="管理员", password="pass-for-tests-1")
    client.force_login(user)
    return client


def test_changelist_and_change_page(admin_client, tree):
    response = admin_client.get(reverse("admin:places_area_changelist"))
    assert response.status_code == 200
    assert "350203001001001" in response.content.decode()
    page = admin_client.get(reverse("admin:places_area_change", args=[tree.grid_a1.pk])).content.decode()
    assert "Polygon" in page and "坑内社区" in page


def test_add_derives_the_parent_from_the_code(admin_client, tree):
    response = admin_client.post(
        reverse("admin:places_area_add"), {"name": "第三网格", "level": "grid", "code": "350203001001003"}
    )
    assert response.status_code == 302
    area = Area.objects.get(code="350203001001003")
    assert Area.objects.get_parent(area) == tree.community_a
    assert Area.objects.get(pk=tree.community_a.pk).numchild == 3


def test_add_with_an_unknown_parent_code_shows_an_error(admin_client, tree):
    response = admin_client.post(
        reverse("admin:places_area_add"), {"name": "孤儿网格", "level": "grid", "code": "350203009001003"}
    )
    assert response.status_code == 200
    assert not Area.objects.filter(code="350203009001003").exists()
    assert "350203009001" in response.content.decode()


def test_changing_the_code_moves_the_area(admin_client, tree):
    response = admin_client.post(
        reverse("admin:places_area_change", args=[tree.grid_a2.pk]), {"name": "迁入网格", "code": "350203002001002"}
    )
    assert response.status_code == 302
    moved = Area.objects.get(pk=tree.grid_a2.pk)
    assert (moved.name, moved.code) == ("迁入网格", "350203002001002")
    assert Area.objects.get_parent(moved) == tree.community_b


def test_an_area_with_children_cannot_be_deleted(admin_client, tree):
    assert admin_client.get(reverse("admin:places_area_delete", args=[tree.community_a.pk])).status_code == 403
    response = admin_client.post(reverse("admin:places_area_delete", args=[tree.grid_a2.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Area.objects.filter(pk=tree.grid_a2.pk).exists()
