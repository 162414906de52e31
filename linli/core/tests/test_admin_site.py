"""The back office: in Chinese, and every registered model's pages open."""

import pytest
from django.contrib import admin
from django.urls import reverse


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser(phone="13700000000", name="管理员", password="admin-pass-123")


def test_admin_index_is_in_chinese(client, superuser):
    client.force_login(superuser)
    html = client.get(reverse("admin:index")).content.decode()
    assert '<html lang="zh-hans"' in html
    assert "邻里" in html
    assert "站点管理" in html or "后台" in html
    assert "退出" in html


def test_every_model_changelist_and_add_page_opens(client, superuser, personas, tree):
    client.force_login(superuser)
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        changelist = client.get(reverse("admin:%s_%s_changelist" % info))
        assert changelist.status_code == 200, info
        if model_admin.has_add_permission(changelist.wsgi_request):
            assert client.get(reverse("admin:%s_%s_add" % info)).status_code == 200, info


def test_non_staff_cannot_enter_the_back_office(client, personas):
    client.force_login(personas.street_dispatcher)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
