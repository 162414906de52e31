import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from linli.accounts.actions import do_create_token, do_issue_token, do_revoke_token
from linli.accounts.models import ApiToken, User

ME = "/api/v1/me/"


def bearer(token, keyword="Bearer"):
    return {"HTTP_AUTHORIZATION": f"{keyword} {token}"}


# -- issue_token command -----------------------------------------------------------


def test_issue_token_prints_a_working_token(personas, client):
    out = StringIO()
    call_command("issue_token", personas.street_dispatcher.phone, "--name", "hotline import", stdout=out)
    raw = out.getvalue().strip()
    token = ApiToken.objects.get(user=personas.street_dispatcher)
    assert token.name == "hotline import"
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest() != raw
    assert raw.startswith(token.prefix)
    assert client.get(ME, **bearer(raw)).status_code == 200


def test_issue_token_accepts_a_formatted_number(personas):
    out = StringIO()
    call_command("issue_token", "+86 139-0000-0004", stdout=out)
    assert ApiToken.objects.filter(user=personas.street_dispatcher, name="").exists()


@pytest.mark.parametrize(
    "phone, message",
    [("13811112222", "No user has the phone number 13811112222"), ("12345", "is not a mainland mobile number")],
)
def test_issue_token_refuses_unknown_or_invalid_phones(db, phone, message, settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(CommandError, match=message):
        call_command("issue_token", phone, stdout=StringIO())
    assert not ApiToken.objects.exists()


def test_issue_token_refuses_inactive_users(personas):
    personas.resident.is_active = False
    personas.resident.save()
    with pytest.raises(CommandError):
        call_command("issue_token", personas.resident.phone, stdout=StringIO())


# -- bearer authentication --------------------------------------------------------


def test_bearer_and_token_keywords(personas, client):
    raw = do_issue_token(personas.grid_worker, "app")
    for keyword in ("Bearer", "bearer", "Token"):
        response = client.get(ME, **bearer(raw, keyword))
        assert response.status_code == 200, keyword
        assert response.json()["phone"] == personas.grid_worker.phone


@pytest.mark.parametrize(
    "header, code",
    [
        ("Bearer ll_not-a-token", "invalid_token"),
        ("Bearer", "invalid_header"),
        ("Bearer one two", "invalid_header"),
        ("", "not_authenticated"),
    ],
)
def test_bad_credentials_answer_401_json(db, client, header, code):
    response = client.get(ME, **({"HTTP_AUTHORIZATION": header} if header else {}))
    assert response.status_code == 401
    assert response.json()["code"] == code and response.json()["message"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_refused(personas, client):
    token, raw = do_create_token(personas.grid_worker, "app")
    do_revoke_token(token)
    response = client.get(ME, **bearer(raw))
    assert response.status_code == 401 and response.json()["code"] == "token_revoked"


def test_inactive_user_is_refused(personas, client):
    raw = do_issue_token(personas.grid_worker)
    User.objects.filter(pk=personas.grid_worker.pk).update(is_active=False)
    response = client.get(ME, **bearer(raw))
    assert response.status_code == 401 and response.json()["code"] == "user_inactive"


def test_last_used_at_is_written_at_most_once_a_minute(personas, client, clock):
    token, raw = do_create_token(personas.grid_worker)
    client.get(ME, **bearer(raw))
    token.refresh_from_db()
    first = token.last_used_at
    assert first == clock.now
    clock.advance(30)
    client.get(ME, **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == first
    clock.advance(31)
    client.get(ME, **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == clock.now


def test_me_costs_two_queries(personas, client, django_assert_num_queries):
    token, raw = do_create_token(personas.community_staff)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    # 1: token joined with its user (no password hashing); 2: roles with their nodes.
    with django_assert_num_queries(2):
        response = client.get(ME, **bearer(raw))
    assert response.status_code == 200
    # A stale last_used_at adds exactly one UPDATE.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=5))
    with django_assert_num_queries(3):
        client.get(ME, **bearer(raw))


# -- /api/v1/me/ ---------------------------------------------------------------------


def test_me_shows_roles_with_their_nodes(personas, tree, client):
    body = client.get(ME, **bearer(do_issue_token(personas.community_staff))).json()
    assert body["phone"] == personas.community_staff.phone  # their own number, unmasked
    assert body["name"] == "社区干部甲"
    (role,) = body["roles"]
    assert role["role"] == "community_staff" and role["tier"] == "head"
    assert role["area"] == {
        "id": tree.community_a.pk,
        "code": "350203001001",
        "name": "坑内社区",
        "level": "community",
        "level_label": role["area"]["level_label"],
    }
    assert role["organization"] is None
    # training programs, the rewards shop, scoring rounds and the service orders are theirs too
    # (registered by the academy, points, scoring and service_orders apps)
    assert body["capabilities"] == ["academy.organize", "accounts.view_personal", "cases.dispatch", "cases.lead_grid",
                                    "cases.verify", "points.manage", "scoring.organize", "service_orders.dispatch",
                                    "view"]


def test_me_for_an_organization_role(personas, client):
    body = client.get(ME, **bearer(do_issue_token(personas.department_handler))).json()
    (role,) = body["roles"]
    assert role["area"] is None
    assert role["organization"]["name"] == "市政园林局" and role["organization"]["kind"] == "department"


def test_me_for_a_resident_without_roles(db, client):
    user = User.objects.create_user(phone="13800000001")
    body = client.get(ME, **bearer(do_issue_token(user))).json()
    assert body["roles"] == [] and body["capabilities"] == []


def test_me_with_a_session(personas, client):
    client.force_login(personas.street_dispatcher)
    assert client.get(ME).json()["roles"][0]["area"]["code"] == "350203001"


def test_other_users_phones_are_masked():
    from linli.accounts.api import UserSerializer

    viewer, other = User(pk=1, phone="13800000001"), User(pk=2, phone="13800000002")
    assert UserSerializer(other, context={"viewer": viewer}).data["phone"] == "138****0002"
    assert UserSerializer(viewer, context={"viewer": viewer}).data["phone"] == "13800000001"
    assert UserSerializer(other).data["phone"] == "138****0002"
