"""Phone + code login for the resident app: /api/v1/auth/code/ and /api/v1/auth/login/."""

import pytest
from django.utils.dateparse import parse_datetime

from linli.accounts.models import ApiToken, User
from linli.core.testing import code_from

PHONE = "13800000001"


@pytest.fixture
def api(db, client, sms_outbox, django_capture_on_commit_callbacks):
    class Api:
        def post(self, url, data, ip="10.0.0.1"):
            with django_capture_on_commit_callbacks(execute=True):
                return client.post(url, data, content_type="application/json", REMOTE_ADDR=ip)

        def code(self, phone=PHONE, ip="10.0.0.1"):
            response = self.post("/api/v1/auth/code/", {"phone": phone}, ip)
            assert response.status_code == 202, response.content
            return code_from(sms_outbox, phone)

    return Api()


def test_code_then_login_then_me_then_logout(api, client, sms_outbox):
    response = api.post("/api/v1/auth/code/", {"phone": PHONE})
    assert response.status_code == 202
    assert response.json()["expires_in"] == 300 and response.json()["resend_after"] == 60
    code = code_from(sms_outbox, PHONE)

    response = api.post("/api/v1/auth/login/", {"phone": PHONE, "code": code, "token_name": "my phone"})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["user"]["phone"] == PHONE and body["user"]["roles"] == []
    user = User.objects.get(phone=PHONE)
    assert user.last_login is not None
    assert ApiToken.objects.get(user=user).name == "my phone"
    # The app learns when to ask the resident to sign in again.
    assert parse_datetime(body["expires_at"]) == ApiToken.objects.get(user=user).expires_at

    auth = {"HTTP_AUTHORIZATION": f"Bearer {body['token']}"}
    assert client.get("/api/v1/me/", **auth).json()["id"] == user.pk
    assert client.post("/api/v1/auth/logout/", **auth).status_code == 204
    assert client.get("/api/v1/me/", **auth).json()["code"] == "token_revoked"


def test_invalid_phone(api):
    response = api.post("/api/v1/auth/code/", {"phone": "12345"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_phone"


def test_missing_fields_are_a_validation_error(api):
    response = api.post("/api/v1/auth/code/", {})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "phone" in response.json()["fields"]
    response = api.post("/api/v1/auth/login/", {"phone": PHONE})
    assert response.status_code == 400 and "code" in response.json()["fields"]


def test_rate_limit_answers_429_with_retry_after(api):
    api.code()
    response = api.post("/api/v1/auth/code/", {"phone": PHONE})
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited_phone"
    assert 0 < int(response["Retry-After"]) <= 60


def test_ip_limit_uses_the_client_address(api, settings):
    settings.LOGIN_CODE_PER_IP_PER_HOUR = 2
    api.code("13800000001", ip="10.1.1.1")
    api.code("13800000002", ip="10.1.1.1")
    response = api.post("/api/v1/auth/code/", {"phone": "13800000003"}, ip="10.1.1.1")
    assert response.status_code == 429 and response.json()["code"] == "rate_limited_ip"
    api.code("13800000003", ip="10.1.1.2")


def test_trusted_proxy_header(api, settings, client):
    settings.LOGIN_CODE_PER_IP_PER_HOUR = 1
    settings.TRUSTED_PROXY_COUNT = 1
    # Behind one proxy the client is the last X-Forwarded-For entry; earlier ones are spoofable.
    ok = client.post("/api/v1/auth/code/", {"phone": "13800000001"}, content_type="application/json",
                     REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.2.2.2")
    assert ok.status_code == 202
    limited = client.post("/api/v1/auth/code/", {"phone": "13800000002"}, content_type="application/json",
                          REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="5.6.7.8, 10.2.2.2")
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited_ip"


def test_wrong_code(api):
    code = api.code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = api.post("/api/v1/auth/login/", {"phone": PHONE, "code": wrong})
    assert response.status_code == 400 and response.json()["code"] == "code_invalid"
    assert not ApiToken.objects.exists()


def test_back_office_account_is_refused(api):
    User.objects.create_superuser(phone=PHONE, name="root", password="x-very-long-pass")
    code = api.code()
    response = api.post("/api/v1/auth/login/", {"phone": PHONE, "code": code})
    assert response.status_code == 403 and response.json()["code"] == "password_required"


def test_auth_endpoints_need_no_csrf_token(db, sms_outbox):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/auth/code/", {"phone": PHONE}, content_type="application/json"
    )
    assert response.status_code == 202
