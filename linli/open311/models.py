"""Open311 GeoReport v2: jurisdictions, API keys, service attributes, and the requests received.

A request becomes a cases.Case through `cases.actions.check_report` (at once, or when a
dispatcher releases it from screening); the row here keeps what the case has no place for:
the attribute answers, the contact details the spec defines (never shown in GET answers),
and the token of a held request.
"""

import hashlib
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Datatype, RequestState


class Jurisdiction(models.Model):
    """A city (or other top area) this deployment answers for under a `jurisdiction_id`."""

    jurisdiction_id = models.SlugField(_("jurisdiction id"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(
        "places.Area", on_delete=models.PROTECT, related_name="open311_jurisdictions", verbose_name=_("area")
    )

    class Meta:
        verbose_name = _("Open311 jurisdiction")
        verbose_name_plural = _("Open311 jurisdictions")

    def __str__(self):
        return f"{self.name} ({self.jurisdiction_id})"


class ApiKey(models.Model):
    """An organization's key for POSTing requests. Only its SHA-256 digest is stored."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="open311_keys", verbose_name=_("organization")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=12)
    rate_per_minute = models.PositiveIntegerField(
        _("requests per minute"), default=60, validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    hold_for_screening = models.BooleanField(
        _("hold for screening"), default=False,
        help_text=_("Requests sent with this key wait until a dispatcher releases them."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self):
        return f"{self.prefix}… ({self.organization})"

    @property
    def is_active(self):
        return self.revoked_at is None

    @staticmethod
    def digest_of(raw):
        return hashlib.sha256(str(raw).encode()).hexdigest()

    @staticmethod
    def generate():
        return "o311_" + secrets.token_urlsafe(32)


class ServiceAttribute(models.Model):
    """A question of a service definition: asked of every request of the category."""

    category = models.ForeignKey(
        "cases.Category", on_delete=models.CASCADE, related_name="open311_attributes", verbose_name=_("category")
    )
    code = models.SlugField(_("code"), max_length=60)
    variable = models.BooleanField(
        _("answered by the reporter"), default=True,
        help_text=_("Off for a notice that is only shown, never answered."),
    )
    datatype = models.CharField(_("datatype"), max_length=16, choices=Datatype.choices, default=Datatype.STRING)
    required = models.BooleanField(_("required"), default=False)
    datatype_description = models.CharField(_("datatype description"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    description = models.CharField(_("question"), max_length=500)
    # [{"key": "...", "name": "..."}] for the list datatypes, in display order.
    values = models.JSONField(_("values"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service attribute")
        verbose_name_plural = _("service attributes")
        ordering = ["category", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="open311_attribute_code_once")]

    def __str__(self):
        return f"{self.category} · {self.code}"

    @property
    def keys(self):
        return [str(value["key"]) for value in self.values or ()]


class ServiceRequest(models.Model):
    """One POSTed request: filed (with its case), held for screening, or rejected."""

    token = models.CharField(_("token"), max_length=40, unique=True)
    state = models.CharField(_("state"), max_length=12, choices=RequestState.choices)
    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="requests", verbose_name=_("API key"))
    jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="requests",
        verbose_name=_("jurisdiction"),
    )
    category = models.ForeignKey(
        "cases.Category", on_delete=models.PROTECT, related_name="open311_requests", verbose_name=_("service")
    )
    case = models.OneToOneField(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="open311_request",
        verbose_name=_("case"),
    )
    # Where the request points: the located grid or the matched/given area (who may screen it).
    area = models.ForeignKey(
        "places.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="open311_requests",
        verbose_name=_("area"),
    )
    description = models.TextField(_("description"), blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    # Storage names of photos uploaded with a held request, filed with it on release.
    held_media = models.JSONField(default=list, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    address_string = models.CharField(_("address"), max_length=200, blank=True)
    address_id = models.CharField(_("address id"), max_length=40, blank=True)
    media_url = models.CharField(_("media URL"), max_length=1000, blank=True)  # checked in intake
    # The reporter, as the spec sends them: personal data, never in a GET answer.
    first_name = models.CharField(_("first name"), max_length=50, blank=True)
    last_name = models.CharField(_("last name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=11, blank=True)
    email = models.EmailField(_("email"), blank=True)
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    service_notice = models.CharField(_("service notice"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("decided by"),
    )
    reject_reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")
        indexes = [models.Index(fields=["state", "-id"], name="open311_request_state")]

    def __str__(self):
        return self.case.number if self.case_id else self.token

    @staticmethod
    def new_token():
        return secrets.token_hex(16)
