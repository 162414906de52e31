"""Telling people: in-app notifications, and optionally SMS and email.

notify(users, topic, title, body="", url="", sms=None, email=False) -> list[Notification]
    sms: (template_key, params) of an approved template (linli.accounts.sms.TEMPLATES), sent
    to those recipients who have not turned SMS off (NotificationPreference).

Meant for outbox handlers (linli.core.outbox): the Notification rows are written in
the relay's transaction, so they commit together with the message's "sent" mark;
SMS and email leave only after that commit, so a retried message does not text
anyone twice. Called outside a transaction, everything happens at once.

`title` and `body` are final text: translate them (in the recipients' language)
before calling. `url` is a site path ("/cases/2026-000123/"); email gets it
as a full link when settings.SITE_URL is set.

The notification centre's writes (a person on their own notifications; another's answers 404):
check_open(user, pk) -> Notification   marks it read (opening it), returns it
do_mark_all_read(user) -> int          how many were unread
sms_enabled(user) -> bool / do_set_sms_enabled(user, enabled)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.http import Http404
from django.utils import timezone


from .ids import parse_id
from .models import Notification, NotificationPreference

logger = logging.getLogger(__name__)


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
    sms: tuple[str, dict] | None = None,
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
        template_key, params = sms
        params = _sms.clean_params(template_key, params)  # a wrong key fails here, in the handler, not after commit
        phones = [user.phone for user in _sms_recipients(recipients) if user.phone]
        if phones:
            transaction.on_commit(lambda: _send_sms_all(phones, template_key, params), robust=True)
    if email:
        addresses = [user.email for user in recipients if user.email]
        email_text = "\n\n".join(part for part in (body, link) if part)
        transaction.on_commit(lambda: _send_email_all(addresses, title, email_text), robust=True)
    return notifications


def _sms_recipients(recipients):
    """Those who have not turned SMS off (one query)."""
    off = set(
        NotificationPreference.objects.filter(user__in=[user.pk for user in recipients], sms_enabled=False)
        .values_list("user_id", flat=True)
    )
    return [user for user in recipients if user.pk not in off]


def _send_sms_all(phones, template_key, params):
    for phone in phones:
        _sms.send(phone, template_key, params)  # logs its own failures; the others still go


class _SmsSender:
    """How a text message leaves: registered by the accounts app (its approved templates and
    backends, linli.accounts.sms) in its AppConfig.ready; core knows no SMS provider."""

    send = staticmethod(lambda phone, template_key, params: None)
    clean_params = staticmethod(lambda template_key, params: params)


_sms = _SmsSender()


def register_sms_sender(send, clean_params) -> None:
    _sms.send, _sms.clean_params = staticmethod(send), staticmethod(clean_params)


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



# -- the notification centre ------------------------------------------------------------------


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def check_open(user, pk) -> Notification:
    """The user's own notification, marked read; anyone else's (or none) is a 404."""
    number = parse_id(pk)
    notification = Notification.objects.filter(user=user, pk=number).first() if number is not None else None
    if notification is None:
        raise Http404
    if notification.read_at is None:
        notification.read_at = timezone.now()
        # Only if still unread: opening it twice at once keeps the first time.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def do_mark_all_read(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def sms_enabled(user) -> bool:
    return not NotificationPreference.objects.filter(user=user, sms_enabled=False).exists()


def do_set_sms_enabled(user, enabled: bool) -> NotificationPreference:
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"sms_enabled": bool(enabled)}
    )
    return preference
