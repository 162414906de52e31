"""Writes for people: role assignments, one-time login codes, API tokens.

`check_*` validates input and permission, then calls `do_*`; `do_*` runs in a
transaction, locks what it changes and assumes valid input (see DESIGN.md).
"""

import hashlib
import ipaddress
import logging
import math
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _, ngettext

from linli.core.background import run_after_commit
from linli.core.ratelimit import client_ip  # noqa: F401  (re-exported: the login views and backend use it)
from linli.core.scoping import GUARDED_CAPABILITIES, can, capabilities_of_roles, forget_scopes, scope_for

from .audit import acting_as
from .models import ApiToken, OneTimeCode, RoleAssignment, User, mainland_mobile_validator, normalize_phone, mask_phone
from .sms import send_sms
from .tasks import send_login_code_task

logger = logging.getLogger("linli.accounts")


# -- roles ---------------------------------------------------------------------


def validate_role_assignment(user, role, area=None, organization=None, tier=""):
    """Raise ValidationError unless the assignment is well formed and not held yet."""
    assignment = RoleAssignment(user=user, role=role, area=area, organization=organization, tier=tier or "")
    assignment.full_clean()
    return assignment


def can_grant_role(actor, role, area=None, organization=None) -> bool:
    """Whether `actor` may give (or take away) `role` on the node.

    The actor needs "accounts.manage" over the node and, so that nobody hands
    out more power than they hold, every guarded capability the role itself
    grants there (a command center cannot create system admins). A role held on no
    node (a plain resident) is global: superusers only.
    """
    node = area if area is not None else organization
    if node is None:
        return scope_for(actor, "accounts.manage").is_global
    needed = {"accounts.manage"} | (capabilities_of_roles([role]) & GUARDED_CAPABILITIES)
    return all(can(actor, capability, node) for capability in sorted(needed))


def check_assign_role(actor, user, role, area=None, organization=None, tier=""):
    """Give `user` the role on an area or organization, on behalf of `actor`.

    Raises PermissionDenied when the actor may not, ValidationError (with
    field errors) when the assignment breaks the RoleAssignment rules.
    """
    # Permission first: a validation error could reveal roles outside the actor's scope.
    if not can_grant_role(actor, role, area, organization):
        raise PermissionDenied(_("You may not assign this role here."))
    validate_role_assignment(user, role, area, organization, tier)
    with acting_as(actor):  # the audit log names who granted it
        return do_assign_role(user, role, area=area, organization=organization, tier=tier)


@transaction.atomic
def do_assign_role(user, role, area=None, organization=None, tier=""):
    """Idempotent: an existing (user, role, node) row is returned, its tier updated."""
    # Serialize grants to one person so two requests cannot race the uniqueness.
    User.objects.select_for_update().only("pk").get(pk=user.pk)
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, area=area, organization=organization, defaults={"tier": tier or ""}
    )
    if not created and assignment.tier != (tier or ""):
        assignment.tier = tier or ""
        assignment.save(update_fields=["tier"])
    forget_scopes(user)
    return assignment


def check_revoke_role(actor, assignment):
    if not can_grant_role(actor, assignment.role, assignment.area, assignment.organization):
        raise PermissionDenied(_("You may not revoke this role."))
    with acting_as(actor):  # the audit log names who revoked it
        do_revoke_role(assignment)


@transaction.atomic
def do_revoke_role(assignment):
    RoleAssignment.objects.filter(pk=assignment.pk).delete()
    if RoleAssignment.user.is_cached(assignment):
        forget_scopes(assignment.user)


# -- one-time login codes --------------------------------------------------------

CODE_LENGTH = 6

# Stable error codes of LoginCodeError (API clients and pages switch on them).
LOGIN_CODE_ERRORS = (
    "invalid_phone",  # not a mainland mobile number
    "rate_limited_phone",  # resend interval or hourly limit for this number
    "rate_limited_ip",  # hourly limit for this client address
    "code_invalid",  # wrong or malformed code, or no code was requested
    "code_expired",  # the latest code is past its TTL
    "code_used",  # the latest code was already used
    "too_many_attempts",  # the latest code is dead after too many wrong tries
    "account_disabled",  # the code was right but the account is inactive
    "password_required",  # back-office accounts sign in with their password
)


class LoginCodeError(Exception):
    """A refused code request or code login.

    `code` is one of LOGIN_CODE_ERRORS; `message` is translated for the
    person; `retry_after` (seconds) is set for rate limits.
    """

    def __init__(self, code, message, retry_after=None):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.retry_after = retry_after

    def __repr__(self):
        return f"LoginCodeError({self.code!r})"


def _clean_phone(phone):
    phone = normalize_phone(phone)
    try:
        mainland_mobile_validator(phone)
    except ValidationError:
        raise LoginCodeError(
            "invalid_phone", _("Enter a valid mainland China mobile number (11 digits starting with 1).")
        ) from None
    return phone


def _clean_ip(ip):
    try:
        return str(ipaddress.ip_address(str(ip or "").strip()))
    except ValueError:
        return None


_LOCK_PHONE, _LOCK_IP = 0x4C4C0001, 0x4C4C0002


def _take_turns(*keys):
    """Serialize concurrent code requests for the same phone and IP.

    The limits are counted from the rows; without this, two processes could
    both count "4 of 5" and both insert. PostgreSQL: transaction-scoped
    advisory locks, always phone before IP so no two requests deadlock.
    SQLite runs one writing transaction at a time anyway (BEGIN IMMEDIATE).
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for namespace, value in keys:
            key = int.from_bytes(hashlib.sha256(value.encode()).digest()[:4], "big", signed=True)
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [namespace, key])


def _seconds_until(moment, now):
    return max(1, math.ceil((moment - now).total_seconds()))


def _hourly_limit_error(code, wait, per_phone):
    minutes = max(1, math.ceil(wait / 60))
    if per_phone:
        message = ngettext(
            "Too many codes were requested for this number. Try again in %(minutes)d minute.",
            "Too many codes were requested for this number. Try again in %(minutes)d minutes.",
            minutes,
        )
    else:
        message = ngettext(
            "Too many codes were requested from this network. Try again in %(minutes)d minute.",
            "Too many codes were requested from this network. Try again in %(minutes)d minutes.",
            minutes,
        )
    return LoginCodeError(code, message % {"minutes": minutes}, retry_after=wait)


def _check_rate_limits(phone, ip, now):
    hour_ago = now - timedelta(hours=1)
    per_phone = settings.LOGIN_CODE_PER_PHONE_PER_HOUR
    # Newest first, and never more rows than the limit needs.
    recent = list(
        OneTimeCode.objects.filter(phone=phone, created_at__gt=hour_ago)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[: max(per_phone, 1)]
    )
    if recent:
        resend_at = recent[0] + timedelta(seconds=settings.LOGIN_CODE_RESEND_SECONDS)
        if resend_at > now:
            wait = _seconds_until(resend_at, now)
            message = ngettext(
                "Please wait %(seconds)d second before requesting another code.",
                "Please wait %(seconds)d seconds before requesting another code.",
                wait,
            ) % {"seconds": wait}
            raise LoginCodeError("rate_limited_phone", message, retry_after=wait)
    if len(recent) >= per_phone:
        # A slot frees up when the oldest code that still counts leaves the hour.
        raise _hourly_limit_error("rate_limited_phone", _seconds_until(recent[-1] + timedelta(hours=1), now), True)
    if ip:
        per_ip = settings.LOGIN_CODE_PER_IP_PER_HOUR
        recent_ip = list(
            OneTimeCode.objects.filter(ip=ip, created_at__gt=hour_ago)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[: max(per_ip, 1)]
        )
        if len(recent_ip) >= per_ip:
            raise _hourly_limit_error("rate_limited_ip", _seconds_until(recent_ip[-1] + timedelta(hours=1), now), False)


def check_request_login_code(phone, ip=None):
    """Send a one-time login code to `phone`; the SMS leaves after commit.

    Returns the OneTimeCode row (its `expires_at` is what pages may show).
    Raises LoginCodeError: invalid_phone, rate_limited_phone, rate_limited_ip.
    """
    phone = _clean_phone(phone)
    ip = _clean_ip(ip)
    with transaction.atomic():
        _take_turns((_LOCK_PHONE, phone), *([(_LOCK_IP, ip)] if ip else []))
        _check_rate_limits(phone, ip, timezone.now())
        otc = do_send_login_code(phone, ip)
    return otc


@transaction.atomic
def do_send_login_code(phone, ip=None):
    """Create a code row for `phone` and queue its SMS; returns the row. The background task makes
    the code (do_issue_login_code): only the row's id is in the task's arguments, so no code
    reaches the broker, a task log line or a stored result."""
    now = timezone.now()
    otc = OneTimeCode.objects.create(
        phone=phone, ip=ip, code_hash="", created_at=now,
        expires_at=now + timedelta(seconds=settings.LOGIN_CODE_TTL_SECONDS),
    )
    run_after_commit(send_login_code_task, otc.pk)
    return otc


def do_issue_login_code(code_id) -> bool:
    """Make the code of a committed row, keep its keyed hash and send it by SMS (an approved
    template, linli.accounts.sms.TEMPLATES). A second run sends nothing: the first code stands.
    False when the row is gone, already has its code, or has expired."""
    code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
    with transaction.atomic():
        otc = OneTimeCode.objects.select_for_update().filter(pk=code_id).first()
        if otc is None or otc.code_hash or otc.used_at is not None or otc.expires_at <= timezone.now():
            return False
        otc.code_hash = OneTimeCode.hash(otc.phone, code)
        otc.save(update_fields=["code_hash"])
    minutes = max(1, settings.LOGIN_CODE_TTL_SECONDS // 60)
    return send_sms(otc.phone, "login_code", {"code": code, "minutes": minutes})


def check_login_with_code(phone, code, ip=None):
    """The user for `phone` if `code` is its latest live code, consuming the code.

    A number seen for the first time becomes a resident account (no role is
    needed to be a resident). Raises LoginCodeError: invalid_phone,
    code_invalid, code_expired, code_used, too_many_attempts,
    account_disabled, password_required.
    """
    phone = _clean_phone(phone)
    code = "".join(str(code or "").split())
    if not (code.isdigit() and len(code) == CODE_LENGTH):
        # A malformed entry is a typo, not a guess: it does not use up an attempt.
        raise LoginCodeError("code_invalid", _("Enter the 6-digit code from the SMS."))
    # The outcome is decided under the row lock but raised after the block, so
    # a wrong attempt's count is committed rather than rolled back.
    with transaction.atomic():
        user, error = _consume_code(phone, code, timezone.now())
    if error is not None:
        if error.code == "too_many_attempts":
            logger.warning("Login code for %s locked after failed attempts (ip %s)", mask_phone(phone), ip)
        raise error
    return user


def _consume_code(phone, code, now):
    # Only the newest code counts: asking for a new one retires the old ones.
    # The row lock makes two concurrent logins with one code take turns; the
    # second finds it used.
    otc = OneTimeCode.objects.select_for_update().filter(phone=phone).order_by("-created_at", "-pk").first()
    if otc is None:
        return None, LoginCodeError("code_invalid", _("No code was requested for this number. Request a new code."))
    if otc.used_at is not None:
        return None, LoginCodeError("code_used", _("This code has already been used. Request a new code."))
    max_attempts = settings.LOGIN_CODE_MAX_ATTEMPTS
    if otc.failed_attempts >= max_attempts:
        return None, _too_many_attempts()
    if otc.expires_at <= now:
        return None, LoginCodeError("code_expired", _("This code has expired. Request a new code."))
    if not constant_time_compare(otc.code_hash, OneTimeCode.hash(phone, code)):
        otc.failed_attempts += 1
        otc.save(update_fields=["failed_attempts"])
        left = max_attempts - otc.failed_attempts
        if left <= 0:
            return None, _too_many_attempts()
        message = ngettext(
            "This code is wrong. %(left)d attempt left.", "This code is wrong. %(left)d attempts left.", left
        ) % {"left": left}
        return None, LoginCodeError("code_invalid", message)
    otc.used_at = now
    otc.save(update_fields=["used_at"])
    user = User.objects.filter(phone=phone).first()
    if user is None:
        return User.objects.create_user(phone=phone), None
    if not user.is_active:
        return None, LoginCodeError("account_disabled", _("This account is disabled."))
    if user.is_staff or user.is_superuser:
        # Back-office access is not handed to whoever holds the SIM card.
        return None, LoginCodeError("password_required", _("This account signs in with its password."))
    return user, None


def _too_many_attempts():
    return LoginCodeError("too_many_attempts", _("Too many wrong attempts for this code. Request a new code."))


@transaction.atomic
def do_purge_login_codes(older_than=timedelta(days=1)):
    """Delete codes past any use (login or rate limit); returns how many."""
    cutoff = timezone.now() - max(older_than, timedelta(hours=1), timedelta(seconds=settings.LOGIN_CODE_TTL_SECONDS))
    deleted, _per_model = OneTimeCode.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# -- API tokens ----------------------------------------------------------------


@transaction.atomic
def do_create_token(user, name=""):
    """Create an API token; returns (ApiToken, raw token). Only the digest is stored."""
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user, name=name or "", digest=ApiToken.digest_of(raw), prefix=raw[:8],
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS),
    )
    return token, raw


def do_issue_token(user, name=""):
    """Issue an API token for `user` and return the raw token, the only time it is shown."""
    return do_create_token(user, name)[1]


def do_revoke_tokens_of(user) -> int:
    """Revoke every live API token of `user` (after a password change); the count revoked."""
    revoked = 0
    for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True):
        do_revoke_token(token)
        revoked += 1
    return revoked


@transaction.atomic
def do_revoke_token(token):
    # A locked instance saved (not a queryset update) so the audit log records the revocation.
    locked = ApiToken.objects.select_for_update().filter(pk=token.pk, revoked_at__isnull=True).first()
    if locked is not None:
        locked.revoked_at = token.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
