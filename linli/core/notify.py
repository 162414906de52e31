"""Telling people: in-app notifications, and optionally SMS and email.

notify(users, topic, title, body="", url="", sms=False, email=False) -> list[Notification]

Meant for outbox handlers (linli.core.outbox): the Notification rows are written in
the relay's transaction, so they commit together with the message's "sent" mark;
SMS and email leave only after that commit, so a retried message does not text
anyone twice. Called outside a transaction, everything happens at once.

`title` and `body` are final text: translate them (in the recipients' language)
before calling. `url` is a site path ("/cases/2026-000123/"); SMS and email get it
as a full link when settings.SITE_URL is set.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction

from linli.accounts.sms import send_sms

from .models import Notification

logger = logging.getLogger(__name__)

SMS_MAX_CHARS = 300  # a few SMS segments; long bodies are for the app and email


def _field_length(name):
    return Notification._meta.get_field(name).max_length


def _users(users) -> list:
    """Distinct active users, in the given order; accepts users, ids or a queryset."""
    if users is None:
        return []
    if hasattr(users, "pk") or isinstance(users, int):
        users = [users]
    users = [user for user in users if user is not None]
    ids = [user for user in users if isinstance(user, int)]
    if ids:
        by_id = get_user_model().objects.in_bulk(ids)
        users = [by_id.get(user) if isinstance(user, int) else user for user in users]
    seen, result = set(), []
    for user in users:
        if user is not None and user.is_active and user.pk not in seen:
            seen.add(user.pk)
            result.append(user)
    return result


def absolute_url(url: str) -> str:
    if not url or "://" in url:
        return url
    return f"{settings.SITE_URL}{url}" if settings.SITE_URL else url


def notify(
    users: Iterable,
    topic: str,
    title: str,
    body: str = "",
    url: str = "",
    sms: bool = False,
    email: bool = False,
) -> list[Notification]:
    """An in-app notification for each user (one INSERT); SMS / email after commit."""
    recipients = _users(users)
    if not recipients:
        return []
    title = str(title)[: _field_length("title")]
    body = str(body)
    url = str(url)[: _field_length("url")]
    topic = topic[: _field_length("topic")]
    notifications = Notification.objects.bulk_create(
        [Notification(user=user, topic=topic, title=title, body=body, url=url) for user in recipients]
    )
    link = absolute_url(url)
    if sms:
        phones = [user.phone for user in recipients if user.phone]
        sms_text = _sms_text(title, body, link)
        transaction.on_commit(lambda: _send_sms_all(phones, sms_text), robust=True)
    if email:
        addresses = [user.email for user in recipients if user.email]
        email_text = "\n\n".join(part for part in (body, link) if part)
        transaction.on_commit(lambda: _send_email_all(addresses, title, email_text), robust=True)
    return notifications


def _sms_text(title, body, link):
    text = f"{title} {body}".strip() if body else title
    if len(text) + len(link) + 1 > SMS_MAX_CHARS:
        text = text[: max(0, SMS_MAX_CHARS - len(link) - 2)] + "…"
    return f"{text} {link}".strip()


def _send_sms_all(phones, text):
    for phone in phones:
        send_sms(phone, text)  # logs its own failures; the others still go


def _send_email_all(addresses, subject, text):
    if not addresses:
        return
    subject = " ".join(subject.splitlines())  # a header: no line breaks
    try:
        with get_connection() as connection:
            # One message per person: recipients must not see each other's addresses.
            messages = [EmailMessage(subject, text, settings.DEFAULT_FROM_EMAIL, [address]) for address in addresses]
            connection.send_messages(messages)
    except Exception:
        logger.exception("Email to %d recipients failed: %s", len(addresses), subject)

