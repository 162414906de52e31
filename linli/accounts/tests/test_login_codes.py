import logging
import re
import threading
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY, authenticate, login
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import connection
from django.test import RequestFactory, override_settings
from django.utils import timezone, translation

from linli.accounts.actions import (
    LoginCodeError,
    check_login_with_code,
    check_request_login_code,
    do_purge_login_codes,
    do_send_login_code,
)
from linli.accounts.models import OneTimeCode, User, normalize_phone
from linli.accounts.sms import render
from linli.core.testing import code_from

PHONE = "13800000001"


@pytest.fixture
def request_code(db, sms_outbox, django_capture_on_commit_callbacks):
    """Request a code the way a page does and return what the SMS carried."""

    def request(phone=PHONE, ip="10.0.0.1"):
        with django_capture_on_commit_callbacks(execute=True):
            check_request_login_code(phone, ip)
        return code_from(sms_outbox, normalize_phone(phone))

    return request


def error_of(call, *args, **kwargs):
    with pytest.raises(LoginCodeError) as caught:
        call(*args, **kwargs)
    return caught.value


# -- happy path ------------------------------------------------------------------


def test_first_login_creates_a_resident(request_code, sms_outbox):
    code = request_code()
    assert len(sms_outbox) == 1 and sms_outbox[0][0] == PHONE
    user = check_login_with_code(PHONE, code, "10.0.0.1")
    assert user.phone == PHONE
    assert not user.role_assignments.exists()  # a resident needs no role
    assert not user.has_usable_password()
    assert OneTimeCode.objects.get().used_at is not None


def test_existing_user_gets_their_account(request_code, personas):
    code = request_code(personas.resident.phone)
    assert check_login_with_code(personas.resident.phone, code) == personas.resident
    assert User.objects.filter(phone=personas.resident.phone).count() == 1


def test_phone_is_normalized(request_code):
    code = request_code("+86 138-0000-0001")
    assert check_login_with_code("0086 13800000001", f" {code[:3]} {code[3:]} ").phone == PHONE


def test_only_a_keyed_hash_is_stored(request_code):
    code = request_code()
    otc = OneTimeCode.objects.get()
    assert code not in otc.code_hash and len(otc.code_hash) == 64
    assert otc.code_hash == OneTimeCode.hash(PHONE, code)
    with override_settings(SECRET_KEY="another-secret"):
        assert OneTimeCode.hash(PHONE, code) != otc.code_hash


def test_sms_leaves_only_after_commit(db, sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        check_request_login_code(PHONE, "10.0.0.1")
    assert sms_outbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert len(sms_outbox) == 1


def test_the_code_goes_as_its_approved_template(request_code, sms_outbox, settings):
    code = request_code()
    minutes = max(1, settings.LOGIN_CODE_TTL_SECONDS // 60)
    assert sms_outbox == [(PHONE, "login_code", {"code": code, "minutes": str(minutes)})]
    assert render("login_code", sms_outbox[0][2]) == f"您的邻里登录验证码是{code}，{minutes}分钟内有效，请勿告诉他人。"


def test_default_backend_writes_the_code_to_the_log(db, settings, caplog, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "linli.accounts.sms.LogSmsBackend"
    with caplog.at_level(logging.INFO, logger="linli.sms"), django_capture_on_commit_callbacks(execute=True):
        check_request_login_code(PHONE, None)
    (record,) = [r for r in caplog.records if r.name == "linli.sms"]
    assert "138****0001" in record.getMessage()
    assert re.search(r"(?<!\d)\d{6}(?!\d)", record.getMessage())


def test_a_failing_gateway_is_logged_not_raised(db, settings, caplog, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "linli.accounts.sms.SmsBackend"  # the bare interface raises NotImplementedError
    with caplog.at_level(logging.ERROR, logger="linli.sms"), django_capture_on_commit_callbacks(execute=True):
        check_request_login_code(PHONE, None)
    assert "failed" in caplog.text


# -- django.contrib.auth ------------------------------------------------------------


def test_authenticate_and_login_with_the_backend(request_code):
    code = request_code()
    request = RequestFactory().post("/accounts/login/code/", REMOTE_ADDR="10.0.0.1")
    SessionMiddleware(lambda r: None).process_request(request)
    user = authenticate(request, phone=PHONE, code=code)
    assert user is not None and user.backend == "linli.accounts.backends.OneTimeCodeBackend"
    login(request, user)
    assert request.session[SESSION_KEY] == str(user.pk)


def test_authenticate_failure_keeps_the_reason_on_the_request(request_code):
    code = request_code()
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.1")
    assert authenticate(request, phone=PHONE, code=f"{(int(code) + 1) % 1_000_000:06d}") is None
    assert request.login_code_error.code == "code_invalid"
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.1")
    assert authenticate(request, phone="12345", code="123456") is None
    assert request.login_code_error.code == "invalid_phone"


def test_password_login_is_not_this_backends_business(personas):
    assert authenticate(None, phone=personas.resident.phone, password="pass-for-tests-1") is not None
    assert authenticate(None, phone=personas.resident.phone, password="wrong") is None


# -- refusals ------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["", "12345", "23800000001", "1380000000", "phone", None])
def test_invalid_phone(db, phone):
    assert error_of(check_request_login_code, phone, "10.0.0.1").code == "invalid_phone"
    assert error_of(check_login_with_code, phone, "123456").code == "invalid_phone"
    assert not OneTimeCode.objects.exists()


def test_expired_code(request_code, clock, settings):
    code = request_code()
    clock.advance(settings.LOGIN_CODE_TTL_SECONDS + 1)
    assert error_of(check_login_with_code, PHONE, code).code == "code_expired"
    assert not User.objects.filter(phone=PHONE).exists()


def test_code_works_until_just_before_expiry(request_code, clock, settings):
    code = request_code()
    clock.advance(settings.LOGIN_CODE_TTL_SECONDS - 1)
    assert check_login_with_code(PHONE, code).phone == PHONE


def test_code_is_single_use(request_code):
    code = request_code()
    check_login_with_code(PHONE, code)
    assert error_of(check_login_with_code, PHONE, code).code == "code_used"


def test_a_new_code_retires_the_old_one(request_code, clock):
    old = request_code()
    clock.advance(61)
    new = request_code()
    if old != new:
        assert error_of(check_login_with_code, PHONE, old).code == "code_invalid"
    assert check_login_with_code(PHONE, new).phone == PHONE


def test_no_code_requested(db):
    assert error_of(check_login_with_code, PHONE, "123456").code == "code_invalid"


def test_wrong_codes_count_until_the_code_is_dead(request_code, settings):
    code = request_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with translation.override("en"):
        first = error_of(check_login_with_code, PHONE, wrong)
    assert first.code == "code_invalid" and "4 attempts left" in first.message
    for _ in range(settings.LOGIN_CODE_MAX_ATTEMPTS - 2):
        assert error_of(check_login_with_code, PHONE, wrong).code == "code_invalid"
    assert error_of(check_login_with_code, PHONE, wrong).code == "too_many_attempts"
    # Dead: even the right code no longer works, and the count was kept.
    assert error_of(check_login_with_code, PHONE, code).code == "too_many_attempts"
    assert OneTimeCode.objects.get().failed_attempts == settings.LOGIN_CODE_MAX_ATTEMPTS


@pytest.mark.parametrize("typo", ["", "12345", "1234567", "12a456"])
def test_malformed_code_does_not_use_an_attempt(request_code, typo):
    request_code()
    assert error_of(check_login_with_code, PHONE, typo).code == "code_invalid"
    assert OneTimeCode.objects.get().failed_attempts == 0


def test_disabled_account(request_code, personas):
    resident = personas.resident
    resident.is_active = False
    resident.save()
    code = request_code(resident.phone)
    assert error_of(check_login_with_code, resident.phone, code).code == "account_disabled"


def test_back_office_accounts_use_their_password(request_code):
    admin = User.objects.create_superuser(phone="13700000009", name="root", password="x-very-long-pass")
    code = request_code(admin.phone)
    assert error_of(check_login_with_code, admin.phone, code).code == "password_required"


# -- rate limits ---------------------------------------------------------------------


def test_resend_interval(request_code, clock, settings):
    request_code()
    clock.advance(settings.LOGIN_CODE_RESEND_SECONDS - 10)
    error = error_of(check_request_login_code, PHONE, "10.0.0.2")
    assert error.code == "rate_limited_phone" and error.retry_after == 10
    clock.advance(10)
    request_code()
    assert OneTimeCode.objects.filter(phone=PHONE).count() == 2


def test_hourly_limit_per_phone(request_code, clock, settings):
    limit = settings.LOGIN_CODE_PER_PHONE_PER_HOUR
    for n in range(limit):
        request_code(ip=f"10.0.0.{n}")  # from different addresses: the number is what counts
        clock.advance(settings.LOGIN_CODE_RESEND_SECONDS)
    error = error_of(check_request_login_code, PHONE, "10.0.1.1")
    assert error.code == "rate_limited_phone"
    # The oldest request leaves the window after an hour.
    assert error.retry_after == 3600 - limit * settings.LOGIN_CODE_RESEND_SECONDS
    clock.advance(error.retry_after)
    request_code()
    # Another number is not affected.
    request_code("13800000002")


def test_hourly_limit_per_ip(request_code, clock, settings):
    settings.LOGIN_CODE_PER_IP_PER_HOUR = 3
    for n in range(3):
        request_code(f"1380000001{n}", ip="10.9.9.9")
    error = error_of(check_request_login_code, "13800000019", "10.9.9.9")
    assert error.code == "rate_limited_ip" and error.retry_after == 3600
    request_code("13800000019", ip="10.9.9.8")  # another address is fine
    request_code("13800000018", ip=None)  # no address known: only the phone limits apply
    clock.advance(hours=1)
    request_code("13800000017", ip="10.9.9.9")


def test_limits_are_counted_from_the_rows(db, settings):
    """Rows written by any other process count: nothing is kept in memory."""
    now = timezone.now()
    for minutes in (50, 40, 30, 20, 10):
        OneTimeCode.objects.create(
            phone=PHONE, code_hash="x" * 64, ip="10.0.0.1", created_at=now - timedelta(minutes=minutes),
            expires_at=now,
        )
    assert error_of(check_request_login_code, PHONE, "10.0.0.5").code == "rate_limited_phone"
    settings.LOGIN_CODE_PER_IP_PER_HOUR = 5
    assert error_of(check_request_login_code, "13800000002", "10.0.0.1").code == "rate_limited_ip"


def test_error_messages_are_translated(request_code):
    request_code()
    with translation.override("zh-hans"):
        error = error_of(check_request_login_code, PHONE, "10.0.0.1")
    assert error.code == "rate_limited_phone"
    assert "Please wait" not in error.message


def test_purge_keeps_what_rate_limits_still_need(db, clock):
    do_send_login_code(PHONE, None)
    clock.advance(hours=25)
    do_send_login_code("13800000002", None)
    assert do_purge_login_codes() == 1
    assert list(OneTimeCode.objects.values_list("phone", flat=True)) == ["13800000002"]


# -- concurrency ---------------------------------------------------------------------


def test_a_code_is_consumed_once_even_when_checked_twice(request_code):
    code = request_code()
    results = []
    for _ in range(2):
        try:
            results.append(check_login_with_code(PHONE, code))
        except LoginCodeError as error:
            results.append(error.code)
    assert results[1] == "code_used" and isinstance(results[0], User)


def _race(n, target):
    """Run target() in n threads released together; returns results or error codes."""
    barrier = threading.Barrier(n)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(target())
        except LoginCodeError as error:
            results.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


needs_postgresql = pytest.mark.postgresql


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_logins_consume_a_code_once(sms_outbox):
    do_send_login_code(PHONE, None)  # commits: the task makes the code and sends it
    code = code_from(sms_outbox, PHONE)
    results = _race(4, lambda: check_login_with_code(PHONE, code))
    assert sum(isinstance(r, User) for r in results) == 1
    assert sorted(r for r in results if not isinstance(r, User)) == ["code_used"] * 3
    assert User.objects.filter(phone=PHONE).count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_cannot_overrun_the_limit(settings):
    settings.SMS_BACKEND = "linli.accounts.sms.MemorySmsBackend"
    results = _race(5, lambda: check_request_login_code(PHONE, "10.0.0.1"))
    assert sorted(r for r in results if isinstance(r, str)) == ["rate_limited_phone"] * 4
    assert OneTimeCode.objects.filter(phone=PHONE).count() == 1
