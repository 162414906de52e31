"""History of role grants, people and API tokens (django-auditlog), with the actor; token expiry."""

from datetime import timedelta
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from linli.accounts.actions import check_assign_role, check_revoke_role, do_create_token
from linli.accounts.choices import Role
from linli.accounts.models import ApiToken, RoleAssignment, User

ME = "/api/v1/me/"


def history(model):
    return LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model)).order_by("pk")


@pytest.fixture
def root(db):
    return User.objects.create_superuser(phone="13700000009", name="管理员", password="x-very-long-pass")


def test_a_revocation_leaves_a_history_row_with_who_and_when(personas, tree):
    newcomer = personas.outsider
    before = timezone.now()
    assignment = check_assign_role(personas.street_dispatcher, newcomer, Role.GRID_WORKER, area=tree.grid_a2)
    check_revoke_role(personas.system_admin, assignment)

    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    granted, revoked = history(RoleAssignment).filter(object_pk=str(assignment.pk))
    assert (granted.action, granted.actor) == (LogEntry.Action.CREATE, personas.street_dispatcher)
    assert (revoked.action, revoked.actor) == (LogEntry.Action.DELETE, personas.system_admin)
    assert revoked.timestamp >= before
    # Whose role it was stays readable once the row is gone.
    assert revoked.additional_data["user_id"] == newcomer.pk and revoked.additional_data["role"] == Role.GRID_WORKER


def test_a_revocation_in_the_back_office_names_the_signed_in_admin(client, root, personas):
    client.force_login(root)
    assignment = personas.grid_worker.role_assignments.get()
    response = client.post(f"/admin/accounts/roleassignment/{assignment.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    entry = history(RoleAssignment).get(object_pk=str(assignment.pk), action=LogEntry.Action.DELETE)
    assert entry.actor == root and entry.remote_addr == "127.0.0.1"


def test_a_change_to_a_person_is_recorded_with_the_actor_and_shown_in_the_back_office(client, root, personas):
    client.force_login(root)
    user = personas.resident
    response = client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {"phone": user.phone, "name": "居民甲改", "email": "", "is_active": "on", "date_joined_0": "2026-01-01",
         "date_joined_1": "08:00:00", "role_assignments-TOTAL_FORMS": "0", "role_assignments-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = history(User).filter(object_pk=str(user.pk), action=LogEntry.Action.UPDATE).get()
    assert entry.actor == root and entry.changes_dict["name"] == ["居民甲", "居民甲改"]
    page = client.get(f"/admin/accounts/user/{user.pk}/auditlog/")
    assert page.status_code == 200 and "居民甲改" in page.content.decode()


def test_tokens_issued_and_revoked_are_recorded_without_their_digest(client, personas):
    token, raw = do_create_token(personas.grid_worker, "app")
    # Signed in by the token itself: the actor is the token's user (resolved after DRF's authentication).
    assert client.post("/api/v1/auth/logout/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 204
    created, revoked = history(ApiToken).filter(object_pk=str(token.pk))
    assert created.action == LogEntry.Action.CREATE and "digest" not in created.changes_dict
    assert revoked.action == LogEntry.Action.UPDATE and "revoked_at" in revoked.changes_dict
    assert revoked.actor == personas.grid_worker


def test_an_expired_token_answers_401_token_expired(personas, client, settings):
    settings.API_TOKEN_TTL_DAYS = 90
    token, raw = do_create_token(personas.grid_worker, "app")
    assert token.expires_at - token.created_at == pytest.approx(timedelta(days=90), abs=timedelta(seconds=5))
    assert client.get(ME, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(ME, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired" and response.json()["message"]


def test_issue_token_prints_the_expiry_apart_from_the_token(personas, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    settings.LANGUAGE_CODE = "en"
    out, err = StringIO(), StringIO()
    call_command("issue_token", personas.street_dispatcher.phone, stdout=out, stderr=err)
    token = ApiToken.objects.get(user=personas.street_dispatcher)
    assert out.getvalue().strip().startswith(token.prefix)  # stdout: the token alone, for scripts
    expires = timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")
    assert expires in err.getvalue() and "30 days" in err.getvalue()


@pytest.mark.django_db(transaction=True)
def test_tokens_issued_before_expiry_existed_get_the_full_term_from_the_upgrade(settings):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    settings.API_TOKEN_TTL_DAYS = 90
    before, after = [("accounts", "0003_role_uniqueness_code_index")], [("accounts", "0005_api_token_expiry_required")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        user = old.get_model("accounts", "User").objects.create(phone="13900000099", name="老令牌", password="!")
        old.get_model("accounts", "ApiToken").objects.create(user=user, digest="d" * 64, prefix="ll_old")
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    finally:
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
    token = ApiToken.objects.get(prefix="ll_old")
    assert token.expires_at - timezone.now() == pytest.approx(timedelta(days=90), abs=timedelta(minutes=1))


def test_the_back_office_lists_the_history_in_chinese(client, root, personas, tree):
    assignment = check_assign_role(personas.street_dispatcher, personas.outsider, Role.GRID_WORKER, area=tree.grid_a2)
    check_revoke_role(personas.street_dispatcher, assignment)
    client.force_login(root)
    page = client.get("/admin/auditlog/logentry/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "操作记录" in page and "删除" in page and str(personas.street_dispatcher) in page


def test_a_forged_forwarded_address_is_not_recorded_and_breaks_nothing(client, root, personas, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # as behind nginx, but this request bypassed it
    client.force_login(root)
    assignment = personas.grid_worker.role_assignments.get()
    response = client.post(f"/admin/accounts/roleassignment/{assignment.pk}/delete/", {"post": "yes"},
                           HTTP_X_FORWARDED_FOR="not-an-address")
    assert response.status_code == 302
    entry = history(RoleAssignment).get(object_pk=str(assignment.pk), action=LogEntry.Action.DELETE)
    assert entry.actor == root and entry.remote_addr is None
