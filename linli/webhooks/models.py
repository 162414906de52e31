from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import DeliveryStatus


class Webhook(models.Model):
    """A URL of an organization that receives signed JSON about the cases it may see.

    The secret is kept in clear because every delivery is signed with it; it is shown
    to people once, when it is made (registration or rotation).
    """

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="webhooks", verbose_name=_("organization")
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=100)
    # Case topics ("case.dispatch", …); an empty list means every case topic.
    topics = models.JSONField(_("topics"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    secret_rotated_at = models.DateTimeField(_("secret changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        indexes = [models.Index(fields=["organization", "is_active"], name="webhook_org_active")]

    def __str__(self):
        return f"{self.organization} → {self.url}"

    def wants(self, topic: str) -> bool:
        return not self.topics or topic in self.topics


class WebhookDelivery(models.Model):
    """One event for one webhook: its payload, fixed when queued, and how sending it went."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook"))
    # The outbox message's id: the event id the receiver sees, the same on every attempt.
    event_id = models.PositiveBigIntegerField(_("event id"))
    topic = models.CharField(_("topic"), max_length=64)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    # While sending: which run holds it and until when (a crashed run's claim expires).
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_response_status = models.PositiveSmallIntegerField(_("last response status"), null=True, blank=True)
    last_response_body = models.TextField(_("last response (excerpt)"), blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [models.UniqueConstraint(fields=["webhook", "event_id"], name="webhook_delivery_once")]
        indexes = [
            # the runner: due deliveries, oldest first
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            # the delivery log of one webhook, newest first
            models.Index(fields=["webhook", "-id"], name="webhook_delivery_log"),
        ]

    def __str__(self):
        return f"{self.topic} #{self.event_id} → {self.webhook_id}"
