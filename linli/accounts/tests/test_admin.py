"""The back office for people, roles and tokens: renders in Chinese, writes through actions."""

import pytest

from linli.accounts.actions import do_issue_login_code, do_send_login_code
from linli.accounts.choices import Role
from linli.accounts.models import ApiToken, OneTimeCode, RoleAssignment, User


@pytest.fixture
def root(db):
    return User.objects.create_superuser(phone="13700000009", name="管理员", password="x-very-long-pass")


@pytest.fixture
def admin_client(client, root):
    client.force_login(root)
    return client


def test_user_list_is_in_chinese_with_masked_phones(admin_client, personas):
    response = admin_client.get("/admin/accounts/user/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "搜索" in page  # Django's own zh_Hans catalogue
    assert "139****0001" in page and "13900000001" not in page


def test_user_search_by_phone(admin_client, personas):
    response = admin_client.get("/admin/accounts/user/", {"q": "13900000002"})
    assert "网格员甲" in response.content.decode() and "居民甲" not in response.content.decode()


def test_user_pages_render(admin_client, personas):
    user = personas.community_staff
    for url in (
        "/admin/accounts/user/add/",
        f"/admin/accounts/user/{user.pk}/change/",
        f"/admin/accounts/user/{user.pk}/password/",
        "/admin/accounts/user/?role_assignments__role__exact=grid_worker",
    ):
        assert admin_client.get(url).status_code == 200, url
    change = admin_client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    assert "13900000003" in change  # the full number on the person's own page


def test_add_user_with_a_formatted_phone(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {"phone": "+86 138-0000-0001", "name": "新同事", "usable_password": "true",
         "password1": "a-long-enough-pass-9", "password2": "a-long-enough-pass-9"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(phone="13800000001")
    assert user.check_password("a-long-enough-pass-9")


def test_add_user_rejects_a_bad_phone(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/", {"phone": "12345", "name": "x", "usable_password": "false"}
    )
    assert response.status_code == 200 and not User.objects.filter(name="x").exists()


def test_change_password(admin_client, personas):
    user = personas.resident
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": "another-long-pass-7", "password2": "another-long-pass-7"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-long-pass-7")


def _inline_data(user, **extra):
    data = {
        "phone": user.phone, "name": user.name, "email": "", "is_active": "on",
        "last_login_0": "", "last_login_1": "", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
        "role_assignments-TOTAL_FORMS": "1", "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-MIN_NUM_FORMS": "0", "role_assignments-MAX_NUM_FORMS": "1000",
    }
    data.update(extra)
    return data


def test_inline_adds_a_role_through_the_actions(admin_client, personas, tree):
    user = personas.outsider
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        _inline_data(user, **{"role_assignments-0-role": Role.GRID_WORKER, "role_assignments-0-area": tree.grid_a2.pk}),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert user.role_assignments.get().area == tree.grid_a2


def test_inline_refuses_a_broken_role(admin_client, personas, tree):
    user = personas.outsider
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        _inline_data(user, **{"role_assignments-0-role": Role.COMMUNITY_STAFF,
                              "role_assignments-0-area": tree.community_a.pk}),
    )
    assert response.status_code == 200  # the form comes back: community staff need a tier
    assert not user.role_assignments.exists()


def test_role_assignment_admin(admin_client, personas, tree):
    assert admin_client.get("/admin/accounts/roleassignment/").status_code == 200
    assert admin_client.get("/admin/accounts/roleassignment/add/").status_code == 200
    response = admin_client.post(
        "/admin/accounts/roleassignment/add/",
        {"user": personas.outsider.pk, "role": Role.JUDGE, "tier": "", "organization": personas.federation.pk},
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=personas.outsider)
    # A duplicate comes back as a form error, not a crash.
    response = admin_client.post(
        "/admin/accounts/roleassignment/add/",
        {"user": personas.outsider.pk, "role": Role.JUDGE, "tier": "", "organization": personas.federation.pk},
    )
    assert response.status_code == 200 and RoleAssignment.objects.filter(user=personas.outsider).count() == 1
    response = admin_client.post(f"/admin/accounts/roleassignment/{assignment.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_staff_dispatcher_sees_and_grants_only_in_their_street(client, personas, tree):
    from django.contrib.auth.models import Permission

    dispatcher = personas.street_dispatcher
    dispatcher.is_staff = True
    dispatcher.save()
    dispatcher.user_permissions.add(*Permission.objects.filter(codename__endswith="roleassignment"))
    client.force_login(dispatcher)
    listing = client.get("/admin/accounts/roleassignment/").content.decode()
    assert "网格员甲" in listing and "街道调度乙" not in listing
    response = client.post(
        "/admin/accounts/roleassignment/add/",
        {"user": personas.outsider.pk, "role": Role.GRID_WORKER, "tier": "", "area": tree.grid_b1.pk},
    )
    assert response.status_code == 200 and not personas.outsider.role_assignments.exists()


def test_token_admin_shows_the_raw_token_once(admin_client, personas):
    response = admin_client.post(
        "/admin/accounts/apitoken/add/", {"user": personas.street_dispatcher.pk, "name": "报表脚本"}, follow=True
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    assert any(token.prefix in m for m in shown)
    assert admin_client.get(f"/admin/accounts/apitoken/{token.pk}/change/").status_code == 200
    admin_client.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_one_time_codes_are_read_only(admin_client):
    otc = do_send_login_code("13800000001", "10.0.0.1")
    do_issue_login_code(otc.pk)  # what the task does after commit
    otc.refresh_from_db()
    assert admin_client.get("/admin/accounts/onetimecode/").status_code == 200
    assert admin_client.get("/admin/accounts/onetimecode/add/").status_code == 403
    page = admin_client.get(f"/admin/accounts/onetimecode/{otc.pk}/change/")
    assert page.status_code == 200 and otc.code_hash not in page.content.decode()
    assert admin_client.post(f"/admin/accounts/onetimecode/{otc.pk}/change/", {"failed_attempts": 0}).status_code == 403
    assert OneTimeCode.objects.get().failed_attempts == 0
