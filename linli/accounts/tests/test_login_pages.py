"""Login pages: staff with password, residents with an SMS code, logout."""

import logging
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from linli.accounts.models import OneTimeCode

pytestmark = pytest.mark.django_db

PASSWORD = "pass-for-tests-1"  # linli.core.testing.make_person's default



@pytest.fixture(autouse=True)
def _log_sms(settings):
    settings.SMS_BACKEND = "linli.accounts.sms.LogSmsBackend"


def logged_in_user(client):
    return client.session.get("_auth_user_id")


# -- staff: mobile number + password --------------------------------------------------


def test_staff_login_page_in_chinese(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "工作人员登录" in html
    assert "手机号" in html and "密码" in html
    assert 'inputmode="tel"' in html and 'autocomplete="current-password"' in html
    assert reverse("accounts:login_code") in html


def test_staff_login_page_in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("accounts:login")).content.decode()
    assert "Staff login" in html and "Mobile number" in html and "Password" in html


def test_staff_logs_in_with_password(client, personas):
    response = client.post(reverse("accounts:login"), {"username": "139 0000 0004", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("home")
    assert logged_in_user(client) == str(personas.street_dispatcher.pk)
    home = client.get(reverse("home"))
    assert home.context["home_kind"] == "staff"
    assert "街道调度甲" in home.content.decode()


def test_staff_login_follows_a_safe_next_only(client, personas, tree):
    area_url = reverse("places:area_detail", args=[tree.street_a.code])
    response = client.post(
        reverse("accounts:login") + f"?next={area_url}", {"username": "13900000004", "password": PASSWORD, "next": area_url}
    )
    assert response.url == area_url
    client.logout()
    response = client.post(
        reverse("accounts:login"),
        {"username": "13900000004", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.url == reverse("home")


def test_wrong_password_is_shown_inline(client, personas):
    response = client.post(reverse("accounts:login"), {"username": "13900000004", "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "手机号或密码错误" in html
    assert 'data-testid="login-error"' in html
    assert logged_in_user(client) is None


def test_login_redirect_for_pages_that_need_it(client, tree):
    url = reverse("places:area_detail", args=[tree.community_a.code])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login_code')}?next={url}"


def test_logout_is_post_only(client, personas):
    client.force_login(personas.resident)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert logged_in_user(client) is not None
    home = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("accounts:logout")}" method="post"' in home
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response.url == reverse("home")
    assert logged_in_user(client) is None


# -- residents: mobile number + one-time code ------------------------------------------


def request_code(client, caplog, capture, phone, **extra):
    """POST step 1 and return (response, the code read from the SMS log)."""
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="linli.sms"), capture(execute=True):
        response = client.post(reverse("accounts:login_code"), {"step": "request", "phone": phone, **extra})
    sent = [r.getMessage() for r in caplog.records if r.name == "linli.sms"]
    codes = [m.group(1) for text in sent if (m := re.search(r"(?<!\d)(\d{6})(?!\d)", text))]
    return response, (codes[-1] if codes else None)


def test_resident_code_login_end_to_end(client, personas, caplog, django_capture_on_commit_callbacks):
    page = client.get(reverse("accounts:login_code")).content.decode()
    assert "居民登录" in page and "获取验证码" in page

    response, code = request_code(client, caplog, django_capture_on_commit_callbacks, "139-0000-0001")
    assert response.status_code == 302 and response.url == reverse("accounts:login_code")
    assert code is not None, "the SMS with the code was not logged"
    assert OneTimeCode.objects.filter(phone="13900000001").count() == 1

    step2 = client.get(reverse("accounts:login_code")).content.decode()
    assert "139****0001" in step2  # masked, in the flash message and the prompt
    assert "13900000001" not in step2.replace('value="13900000001"', "")
    assert 'autocomplete="one-time-code"' in step2

    response = client.post(reverse("accounts:login_code"), {"step": "verify", "code": code})
    assert response.status_code == 302 and response.url == reverse("home")
    assert logged_in_user(client) == str(personas.resident.pk)
    home = client.get(reverse("home"))
    assert home.context["home_kind"] == "resident"
    assert "居民甲" in home.content.decode()


def test_wrong_code_is_shown_inline_in_chinese(client, personas, caplog, django_capture_on_commit_callbacks):
    _response, code = request_code(client, caplog, django_capture_on_commit_callbacks, "13900000001")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:login_code"), {"step": "verify", "code": wrong})
    assert response.status_code == 200
    html = response.content.decode()
    assert "验证码错误" in html and "is-invalid" in html
    assert logged_in_user(client) is None
    # The right code still works afterwards.
    response = client.post(reverse("accounts:login_code"), {"step": "verify", "code": code})
    assert response.status_code == 302


def test_malformed_code_and_reused_code(client, personas, caplog, django_capture_on_commit_callbacks):
    _response, code = request_code(client, caplog, django_capture_on_commit_callbacks, "13900000001")
    html = client.post(reverse("accounts:login_code"), {"step": "verify", "code": "12"}).content.decode()
    assert "请输入短信中的 6 位验证码" in html
    client.post(reverse("accounts:login_code"), {"step": "verify", "code": code})
    client.post(reverse("accounts:logout"))
    # Back on step 1 after logging in: the pending phone was cleared.
    assert "request-code-form" in client.get(reverse("accounts:login_code")).content.decode()


def test_invalid_phone_is_shown_inline(client):
    response = client.post(reverse("accounts:login_code"), {"step": "request", "phone": "12345"})
    assert response.status_code == 200
    assert "请输入有效的中国大陆手机号" in response.content.decode()
    assert not OneTimeCode.objects.exists()


def test_resend_too_soon_stays_on_step_two(client, personas, caplog, django_capture_on_commit_callbacks):
    request_code(client, caplog, django_capture_on_commit_callbacks, "13900000001")
    response, code = request_code(client, caplog, django_capture_on_commit_callbacks, "13900000001")
    assert response.status_code == 429 and code is None
    assert 0 < int(response["Retry-After"]) <= 60
    html = response.content.decode()
    assert 'data-testid="resend-error"' in html and "秒后再重新获取验证码" in html
    assert "enter-code-form" in html


def test_use_another_number_restarts(client, personas, caplog, django_capture_on_commit_callbacks):
    request_code(client, caplog, django_capture_on_commit_callbacks, "13900000001")
    html = client.get(reverse("accounts:login_code") + "?restart=1").content.decode()
    assert "request-code-form" in html


def test_new_number_becomes_a_resident(client, caplog, django_capture_on_commit_callbacks):
    _response, code = request_code(client, caplog, django_capture_on_commit_callbacks, "13700001111")
    response = client.post(reverse("accounts:login_code"), {"step": "verify", "code": code})
    assert response.status_code == 302
    user = get_user_model().objects.get(phone="13700001111")
    assert logged_in_user(client) == str(user.pk)
    assert client.get(reverse("home")).context["home_kind"] == "resident"


def test_back_office_accounts_must_use_their_password(client, personas, caplog, django_capture_on_commit_callbacks):
    staff = personas.street_dispatcher
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    _response, code = request_code(client, caplog, django_capture_on_commit_callbacks, staff.phone)
    html = client.post(reverse("accounts:login_code"), {"step": "verify", "code": code}).content.decode()
    assert "该账号需使用密码登录" in html
    assert logged_in_user(client) is None


def test_code_login_in_english(client, personas, caplog, django_capture_on_commit_callbacks):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Resident login" in client.get(reverse("accounts:login_code")).content.decode()
    _response, code = request_code(client, caplog, django_capture_on_commit_callbacks, "13900000001")
    assert code is not None
    html = client.get(reverse("accounts:login_code")).content.decode()
    assert "Enter the code we sent to" in html
    html = client.post(reverse("accounts:login_code"), {"step": "verify", "code": "000000" if code != "000000" else "111111"}).content.decode()
    assert "This code is wrong" in html


def test_code_login_keeps_next(client, personas, tree, caplog, django_capture_on_commit_callbacks):
    target = reverse("places:area_detail", args=[tree.community_a.code])
    response, code = request_code(client, caplog, django_capture_on_commit_callbacks, "13900000003", next=target)
    assert response.url == f"{reverse('accounts:login_code')}?next={target.replace('/', '%2F')}"
    response = client.post(reverse("accounts:login_code"), {"step": "verify", "code": code, "next": target})
    assert response.url == target


def test_no_login_code_or_full_number_in_any_log_but_the_development_sms(
        client, personas, caplog, django_capture_on_commit_callbacks, monkeypatch):
    """A sign-in by SMS with every logger at DEBUG: the code and the full number appear in the
    development backend's one message (it stands in for the phone) and in no other log record,
    the background task's included (its arguments are the code row's id)."""
    phone = "13900000001"
    # Every logger speaks (a logging set-up earlier in the same process may have switched some off).
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            monkeypatch.setattr(logger, "disabled", False)
    caplog.clear()
    with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="celery.app.trace"), \
            django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:login_code"), {"step": "request", "phone": phone})
    sms = [r for r in caplog.records if r.name == "linli.sms"]
    assert len(sms) == 1
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", sms[0].getMessage()).group(1)
    with caplog.at_level(logging.DEBUG):
        response = client.post(reverse("accounts:login_code"), {"step": "verify", "code": code})
    assert response.status_code == 302 and logged_in_user(client) is not None

    def everything_in(record):
        return " ".join([record.getMessage(), *(str(value) for value in vars(record).values())])

    assert any(r.name == "celery.app.trace" for r in caplog.records)  # the task ran and was logged
    for record in caplog.records:
        if record is sms[0]:
            assert phone not in record.getMessage()  # even there the number is masked
            continue
        text = everything_in(record)
        assert code not in text and phone not in text, (record.name, text)
