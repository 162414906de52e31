"""Pluggable SMS sending.

`settings.SMS_BACKEND` names a class with one method, `send(phone, message)`.
A real gateway (a carrier's or a cloud SMS service) is a small subclass of
`SmsBackend`; the default writes messages to the "linli.sms" log so a demo or
an intranet test install works without any gateway.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from .models import mask_phone

logger = logging.getLogger("linli.sms")


class SmsBackend:
    """Interface: deliver `message` to the mainland mobile number `phone`.

    Called after the database transaction commits; raise on failure (the
    caller logs it; the code row stays, so the resend limits still count it).
    """

    def send(self, phone: str, message: str) -> None:
        raise NotImplementedError


class LogSmsBackend(SmsBackend):
    """Development and demo: the message (and so the code) goes to the log."""

    def send(self, phone, message):
        logger.info("SMS to %s: %s", mask_phone(phone), message)


class MemorySmsBackend(SmsBackend):
    """Tests: messages are appended to `MemorySmsBackend.outbox` as (phone, message)."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone, message):
        type(self).outbox.append((phone, message))


def get_sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(phone, message):
    try:
        get_sms_backend().send(phone, message)
    except Exception:
        # Runs after commit: a failed gateway must not turn into a 500 for a
        # request whose data is already saved. The resident can ask again.
        logger.exception("SMS to %s failed", mask_phone(phone))
