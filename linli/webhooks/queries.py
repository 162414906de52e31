"""Reads: who manages which organization's webhooks, the webhook lists and delivery logs."""

from __future__ import annotations

from django.http import Http404

from linli.accounts.choices import Role
from linli.orgs.models import Organization

from .models import Webhook, WebhookDelivery

LOG_PAGE_SIZE = 50


def managed_organizations(user):
    """Organizations the user administers directly (role org_admin held on the organization)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Organization.objects.none()
    return Organization.objects.filter(
        role_assignments__user=user, role_assignments__role=Role.ORG_ADMIN
    ).distinct().order_by("name")


def is_back_office(user) -> bool:
    """Back-office staff with the model permission (the Django admin) manage every webhook."""
    return bool(
        user is not None and getattr(user, "is_authenticated", False) and user.is_active and user.is_staff
        and user.has_perm("webhooks.change_webhook")
    )


def may_manage(user, organization) -> bool:
    if is_back_office(user):
        return True
    return managed_organizations(user).filter(pk=organization.pk).exists()


def webhooks_for(user):
    """The webhooks of the organizations the user administers (the page's list)."""
    return Webhook.objects.filter(organization__in=managed_organizations(user)).select_related("organization")


def get_webhook_for(user, pk) -> Webhook:
    """A webhook the user may manage on the page, or 404 (never 403: its existence is not revealed)."""
    try:
        return webhooks_for(user).get(pk=pk)
    except (Webhook.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def delivery_log(webhook, status=None, before=None, limit=LOG_PAGE_SIZE):
    """The webhook's deliveries, newest first; `before` an id (keyset paging)."""
    deliveries = WebhookDelivery.objects.filter(webhook=webhook).defer("payload").order_by("-id")
    if status:
        deliveries = deliveries.filter(status=status)
    if before:
        deliveries = deliveries.filter(id__lt=before)
    return deliveries[:limit]
