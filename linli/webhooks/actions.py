"""Every write to webhooks and their deliveries.

`check_*(actor, ...)` validates the input and the actor's permission (the organization's
org_admin, or back-office staff with the model permission; anyone else gets Http404),
then calls `do_*`, which runs in one transaction, locks what it changes and assumes
valid input. The page, the admin and the tests call these; nothing else saves webhooks.

Deliveries are written by the outbox handler (`queue_deliveries`, linli.webhooks.handlers)
and changed by the delivery runner (linli.webhooks.delivery); people only ask for a
redelivery here.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.orgs.models import Organization

from . import addresses, signing
from .choices import CASE_TOPIC_VALUES, DeliveryStatus
from .errors import WebhookError
from .models import Webhook, WebhookDelivery
from .queries import may_manage

URL_MAX_LENGTH = Webhook._meta.get_field("url").max_length
MAX_ACTIVE_WEBHOOKS_PER_ORGANIZATION = 10
# Deliveries that may be sent again by hand: not while one is on the wire.
REDELIVERABLE = (DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.SUCCEEDED, DeliveryStatus.GIVEN_UP)


def require_manage(actor, organization) -> None:
    if organization is None or not may_manage(actor, organization):
        raise Http404


# -- validation ---------------------------------------------------------------------------------


def clean_url(url) -> str:
    """An http(s) URL without credentials; outside intranet mode, not on a private address."""
    url = str(url or "").strip()
    if not url:
        raise WebhookError("url_required", _("Enter the address that should receive the events."), field="url")
    if len(url) > URL_MAX_LENGTH:
        raise WebhookError("url_too_long", _("At most %(n)d characters.") % {"n": URL_MAX_LENGTH}, field="url")
    try:
        URLValidator(schemes=list(addresses.ALLOWED_SCHEMES))(url)
        _scheme, host, port = addresses.split(url)
    except (ValidationError, ValueError):
        raise WebhookError("bad_url", _("Enter a full address starting with http:// or https://."), field="url") from None
    if "@" in url.split("//", 1)[1].split("/", 1)[0]:
        raise WebhookError("url_credentials", _("Do not put a user name or password in the address."), field="url")
    try:
        addresses.check_host(host, port)
    except addresses.AddressNotAllowed:
        raise WebhookError(
            "private_address",
            _("This address is on a private or local network. Only public addresses can receive events."),
            field="url",
        ) from None
    return url.split("#", 1)[0]


def clean_topics(topics) -> list[str]:
    """Known case topics, de-duplicated and sorted; empty (or "all") means every topic."""
    if topics in (None, "", "all"):
        return []
    topics = [str(topic) for topic in topics]
    if "all" in topics:
        return []
    unknown = sorted(set(topics) - CASE_TOPIC_VALUES)
    if unknown:
        raise WebhookError(
            "unknown_topic", _("Unknown event types: %(topics)s") % {"topics": ", ".join(unknown)}, field="topics"
        )
    return sorted(set(topics))


# -- register -----------------------------------------------------------------------------------


def check_register_webhook(actor, organization, url, topics=None) -> Webhook:
    """Register a webhook for the organization; the returned webhook carries its new secret
    (show it once). Raises WebhookError, or Http404 when the actor may not manage it."""
    require_manage(actor, organization)
    url = clean_url(url)
    topics = clean_topics(topics)
    return do_register_webhook(actor, organization, url, topics)


def check_room(organization, url) -> None:
    """The organization has no active webhook for this URL yet, and room for one more."""
    active = Webhook.objects.filter(organization=organization, is_active=True)
    if active.filter(url=url).exists():
        raise WebhookError("already_registered", _("This address is already registered."), field="url")
    if active.count() >= MAX_ACTIVE_WEBHOOKS_PER_ORGANIZATION:
        raise WebhookError(
            "too_many_webhooks",
            _("At most %(n)d active webhooks per organization.") % {"n": MAX_ACTIVE_WEBHOOKS_PER_ORGANIZATION},
        )


def do_register_webhook(actor, organization, url, topics) -> Webhook:
    with transaction.atomic():
        # One registration per organization at a time: the limit and duplicate checks hold.
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        check_room(organization, url)
        return Webhook.objects.create(
            organization=organization,
            url=url,
            topics=topics,
            secret=signing.new_secret(),
            created_by=actor if getattr(actor, "pk", None) else None,
        )


# -- deactivate, rotate ---------------------------------------------------------------------------


def check_deactivate_webhook(actor, webhook) -> Webhook:
    require_manage(actor, webhook.organization)
    return do_deactivate_webhook(actor, webhook)


def do_deactivate_webhook(actor, webhook) -> Webhook:
    """Stop sending: no new deliveries, and the unsent ones are given up (one on the wire finishes)."""
    with transaction.atomic():
        webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
        if webhook.is_active:
            Webhook.objects.filter(pk=webhook.pk).update(is_active=False)
            webhook.is_active = False
            WebhookDelivery.objects.filter(
                webhook=webhook, status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]
            ).update(status=DeliveryStatus.GIVEN_UP, next_attempt_at=None, last_error="webhook deactivated")
        return webhook


def check_rotate_secret(actor, webhook) -> Webhook:
    require_manage(actor, webhook.organization)
    if not webhook.is_active:
        raise WebhookError("inactive", _("This webhook is switched off."))
    return do_rotate_secret(actor, webhook)


def do_rotate_secret(actor, webhook) -> Webhook:
    """A new secret; every delivery from now on (retries too) is signed with it."""
    with transaction.atomic():
        webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
        webhook.secret = signing.new_secret()
        webhook.secret_rotated_at = timezone.now()
        Webhook.objects.filter(pk=webhook.pk).update(secret=webhook.secret, secret_rotated_at=webhook.secret_rotated_at)
        return webhook


# -- redeliver ----------------------------------------------------------------------------------


def check_redeliver(actor, deliveries) -> int:
    """Send the given deliveries again, with a fresh set of attempts; the number queued.
    Deliveries of inactive webhooks and ones being sent right now are left alone."""
    deliveries = list(deliveries)
    for organization in {delivery.webhook.organization for delivery in deliveries}:
        require_manage(actor, organization)
    return do_redeliver(actor, [delivery.pk for delivery in deliveries])


def do_redeliver(actor, delivery_ids) -> int:
    from .delivery import kick_after_commit

    with transaction.atomic():
        count = WebhookDelivery.objects.filter(
            pk__in=list(delivery_ids), status__in=REDELIVERABLE, webhook__is_active=True
        ).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), claim_token="",
            claimed_until=None, last_error="",
        )
        if count:
            kick_after_commit()
    return count
