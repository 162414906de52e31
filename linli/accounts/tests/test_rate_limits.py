"""Sign-in budgets: failed password and code sign-ins per address and (passwords) per
number; over budget a 429 with Retry-After, whole again after the window; a success gives
its attempt back."""

import pytest
from django.urls import reverse

from linli.accounts.models import ApiToken
from linli.core.testing import code_from

PASSWORD = "pass-for-tests-1"  # linli.core.testing.make_person's default
LOGIN = "/api/v1/auth/login/"


@pytest.fixture
def budgets(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login-ip": (3, 300), "login-phone": (2, 900)}


def password_login(client, phone, password, ip="10.0.0.1", **headers):
    return client.post(reverse("accounts:login"), {"username": phone, "password": password}, REMOTE_ADDR=ip,
                       **headers)


def test_failed_passwords_for_one_number_are_limited_then_allowed_again(client, personas, budgets, clock):
    phone = personas.street_dispatcher.phone
    for ip in ("10.0.0.1", "10.0.0.2"):  # from two addresses: the number's budget counts both
        assert password_login(client, phone, "wrong", ip).status_code == 200
    # Past the number's budget an address that failed on it is held back, right password or not ...
    refused = password_login(client, phone, PASSWORD, "10.0.0.2", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429
    wait = int(refused["Retry-After"])
    assert 1 <= wait <= 900
    assert "Too many failed sign-ins" in refused.content.decode()
    assert "_auth_user_id" not in client.session  # even the right password is not checked
    clock.advance(wait)
    response = password_login(client, phone, PASSWORD, "10.0.0.2")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(personas.street_dispatcher.pk)


def test_failed_passwords_from_one_address_are_limited_across_numbers(client, personas, budgets):
    for person in (personas.grid_worker, personas.community_staff, personas.street_dispatcher):
        assert password_login(client, person.phone, "wrong", "10.7.7.7").status_code == 200
    refused = password_login(client, personas.system_admin.phone, PASSWORD, "10.7.7.7")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert password_login(client, personas.system_admin.phone, PASSWORD, "10.7.7.8").status_code == 302


def test_a_successful_password_login_gives_its_attempt_back(client, personas, budgets):
    phone = personas.street_dispatcher.phone
    assert password_login(client, phone, "wrong").status_code == 200
    for _ in range(3):
        assert password_login(client, phone, PASSWORD).status_code == 302
        client.logout()
    assert password_login(client, phone, "wrong").status_code == 200  # the second failure: still within 2


@pytest.fixture
def api(db, client, sms_outbox, django_capture_on_commit_callbacks):
    class Api:
        def post(self, url, data, ip="10.0.0.1", **headers):
            with django_capture_on_commit_callbacks(execute=True):
                return client.post(url, data, content_type="application/json", REMOTE_ADDR=ip, **headers)

        def code(self, phone, ip="10.0.0.1"):
            assert self.post("/api/v1/auth/code/", {"phone": phone}, ip).status_code == 202
            return code_from(sms_outbox, phone)

    return Api()


def test_failed_code_logins_from_one_address_answer_429_then_recover(api, budgets, clock):
    for phone in ("13800000001", "13800000002", "13800000003"):
        response = api.post(LOGIN, {"phone": phone, "code": "123456"}, ip="10.5.5.5")
        assert response.status_code == 400 and response.json()["code"] == "code_invalid"
    code = api.code("13800000004", ip="10.5.5.6")
    refused = api.post(LOGIN, {"phone": "13800000004", "code": code}, ip="10.5.5.5", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429
    wait = int(refused["Retry-After"])
    assert refused.json()["code"] == "rate_limited"
    assert refused.json()["message"].startswith("Too many requests. Please try again in")
    assert not ApiToken.objects.exists()
    clock.advance(wait)
    assert api.post(LOGIN, {"phone": "13800000004", "code": code}, ip="10.5.5.5").status_code == 200


def test_a_successful_code_login_gives_its_attempt_back(api, budgets):
    for number in range(5):
        phone = f"1380000001{number}"
        code = api.code(phone, ip=f"10.6.6.{number}")
        assert api.post(LOGIN, {"phone": phone, "code": code}, ip="10.5.5.5").status_code == 200


def test_the_code_page_limits_failed_codes_per_address(client, personas, budgets, caplog,
                                                        django_capture_on_commit_callbacks):
    from .test_login_pages import request_code

    request_code(client, caplog, django_capture_on_commit_callbacks, personas.resident.phone)
    page = reverse("accounts:login_code")
    for _ in range(3):
        assert client.post(page, {"step": "verify", "code": "000000"}).status_code == 200
    refused = client.post(page, {"step": "verify", "code": "000000"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "登录失败次数过多" in refused.content.decode() or "Too many failed sign-ins" in refused.content.decode()


@pytest.fixture
def lockout_budgets(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login-ip": (30, 300), "login-phone-ip": (3, 900),
                            "login-phone": (8, 3600)}


def test_a_strangers_wrong_passwords_do_not_lock_the_owner_out(client, personas, lockout_budgets):
    phone = personas.street_dispatcher.phone
    for _ in range(3):
        assert password_login(client, phone, "wrong", "10.9.9.9").status_code == 200
    # The guesser's address is spent for this number, right password or not ...
    assert password_login(client, phone, PASSWORD, "10.9.9.9").status_code == 429
    # ... the owner, from their own address, signs in.
    response = password_login(client, phone, PASSWORD, "10.1.1.1")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(personas.street_dispatcher.pk)


def test_failures_per_number_and_address_leave_other_numbers_from_that_address(client, personas, lockout_budgets):
    for _ in range(3):
        assert password_login(client, personas.grid_worker.phone, "wrong", "10.9.9.9").status_code == 200
    assert password_login(client, personas.grid_worker.phone, "wrong", "10.9.9.9").status_code == 429
    assert password_login(client, personas.community_staff.phone, PASSWORD, "10.9.9.9").status_code == 302


def test_a_number_is_limited_only_well_above_one_address(client, personas, lockout_budgets):
    phone = personas.street_dispatcher.phone
    for index in range(8):  # a botnet: each address within its budget of 3
        assert password_login(client, phone, "wrong", f"10.8.8.{index}").status_code == 200
    # The number's budget is spent: each address that failed on it is held back ...
    assert password_login(client, phone, "wrong", "10.8.8.0").status_code == 429
    # ... a fresh address gets one guess, then it is held back too ...
    assert password_login(client, phone, "wrong", "10.8.9.1").status_code == 200
    assert password_login(client, phone, "wrong", "10.8.9.1").status_code == 429
    # ... and the owner, from a fresh address, signs in.
    assert password_login(client, phone, PASSWORD, "10.1.1.1").status_code == 302


def test_a_right_sms_code_gets_in_when_the_numbers_password_budget_is_spent(
        api, client, personas, lockout_budgets):
    phone = personas.grid_worker.phone
    for index in range(8):
        assert password_login(client, phone, "wrong", f"10.8.8.{index}").status_code == 200
    assert password_login(client, phone, PASSWORD, "10.8.8.1").status_code == 429  # held back there
    code = api.code(phone, ip="10.1.1.1")
    response = api.post(LOGIN, {"phone": phone, "code": code}, ip="10.1.1.1")
    assert response.status_code == 200, response.content
    assert response.json()["user"]["id"] == personas.grid_worker.pk


def test_a_hundred_wrong_passwords_do_not_lock_the_administrator_out(client, personas):
    """The field report: 101 wrong passwords for the administrator's number from one address
    (only the first ones are checked), then the administrator signs in from another address."""
    phone = personas.system_admin.phone
    statuses = [password_login(client, phone, f"guess-{n}", "10.66.66.66").status_code for n in range(101)]
    assert statuses.count(200) == 10 and statuses.count(429) == 91  # login-phone-ip: 10 per 15 min
    response = password_login(client, phone, PASSWORD, "10.1.2.3")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(personas.system_admin.pk)


def test_with_redis_down_the_budgets_hold_in_the_database(client, personas, settings, caplog):
    """Decided: the budgets fall back to the database table (sign-in keeps working; guessing stays
    limited). A Redis that refuses connections stands in for one that is down."""
    settings.CACHES = {**settings.CACHES, "ratelimit": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
    phone = personas.street_dispatcher.phone
    statuses = [password_login(client, phone, "wrong", "10.5.5.5").status_code for _ in range(12)]
    assert statuses == [200] * 10 + [429] * 2
    assert "counted in the database" in caplog.text
    assert password_login(client, phone, PASSWORD, "10.5.5.6").status_code == 302


def test_a_new_password_revokes_the_persons_tokens_and_other_sessions(client, personas):
    from django.test import Client

    from linli.accounts.actions import do_issue_token

    user = personas.street_dispatcher
    token = do_issue_token(user)
    other = Client()
    other.force_login(user)
    assert other.get(reverse("home")).context["user"].is_authenticated
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    user.set_password("a-new-password-2026")
    user.save()
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() == 0
    assert not other.get(reverse("home")).context["user"].is_authenticated  # the other session is over


def test_an_administrator_makes_a_numbers_budget_whole_again(client, personas, lockout_budgets):
    from io import StringIO

    from django.core.management import call_command

    phone = personas.street_dispatcher.phone
    for index in range(8):
        password_login(client, phone, "wrong", f"10.8.8.{index}")
    assert password_login(client, phone, PASSWORD, "10.8.8.3").status_code == 429
    out = StringIO()
    call_command("unlock_sign_in", phone, stdout=out)
    assert "whole again" in out.getvalue() and phone not in out.getvalue()
    assert password_login(client, phone, PASSWORD, "10.8.8.3").status_code == 302
