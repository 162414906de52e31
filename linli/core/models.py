import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """An exception to the Monday–Friday working week: a public holiday on a
    weekday (is_workday=False) or a swapped working day on a weekend (调休,
    is_workday=True). Editable data, one row per date."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.note}"


def event_action_field(actions):
    """A timeline event's `action`, with the workflow's actions as choices."""
    return models.CharField(_("action"), max_length=16, choices=actions.choices)


def event_status_field(statuses, verbose_name):
    """A timeline event's `from_status` / `to_status` ("" where there is none)."""
    return models.CharField(verbose_name, max_length=16, choices=statuses.choices, blank=True)


class TimelineEvent(models.Model):
    """One entry of a record's append-only timeline (core.workflow): who did what, from which status
    to which. A subclass adds the foreign key to its record (named as the workflow's `Timeline`
    says) and gives the action and statuses their choices:

        class CaseEvent(TimelineEvent):
            case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
            action = event_action_field(Action)
            from_status = event_status_field(CaseStatus, _("from status"))
            to_status = event_status_field(CaseStatus, _("to status"))
    """

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("by"))
    action = models.CharField(_("action"), max_length=16)
    from_status = models.CharField(_("from status"), max_length=16, blank=True)
    to_status = models.CharField(_("to status"), max_length=16, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        abstract = True


class OutboxMessage(models.Model):
    """An event leaving the process, written in the same transaction as the change
    it reports; the relay delivers it after commit and marks it sent."""

    topic = models.CharField(_("topic"), max_length=64, db_index=True)
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # After a failed delivery: not before this time (growing pauses between attempts).
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(fields=["id"], condition=models.Q(sent_at__isnull=True), name="outbox_unsent"),
        ]


class Notification(models.Model):
    """An in-app notification for one person."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                             verbose_name=_("person"))
    topic = models.CharField(_("topic"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox")]


class NotificationPreference(models.Model):
    """How a person wants to be told; no row means the defaults (SMS on)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="notification_preference"
    )
    sms_enabled = models.BooleanField(_("text messages (SMS)"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")


class PersonalDataAccess(models.Model):
    """Who opened someone's full personal data (a phone or ID number), when and from where.

    PIPL: lists show such data masked; the full value is shown on request, and every request
    leaves one of these rows. Append-only: written by `core.privacy.record_access`, read in the admin.
    """

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="personal_data_accesses", verbose_name=_("viewer")
    )
    subject = models.CharField(_("whose data"), max_length=80, help_text=_('e.g. "case:2026-000123:reporter"'))
    field = models.CharField(_("field"), max_length=30)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.viewer} · {self.subject} · {self.field}"


class IdempotencyRecord(models.Model):
    """The answer given to one `Idempotency-Key` of one client, kept KEEP_HOURS so a retried
    report answers the same instead of filing twice (core.idempotency). Written in the same
    transaction as what the request created."""

    owner = models.CharField(max_length=80)  # "user:12", "open311:3", "ip:…": whose keys
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # sha256 of method, path and body
    status = models.PositiveSmallIntegerField()
    data = models.JSONField(null=True, blank=True)  # a DRF answer's data, rendered again on replay
    content = models.TextField(blank=True)  # or an answer's rendered text (Open311's JSON or XML)
    content_type = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=500, blank=True)  # a redirect's or a created object's address
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotency_key_once_per_owner")]


class CertificateStatus(models.TextChoices):
    ISSUED = "issued", _("valid")
    REVOKED = "revoked", _("revoked")


class Certificate(models.Model):
    """A numbered certificate with a QR code to a public check page (core.certificates). A domain
    model inherits it (multi-table) and adds what it certifies:

        class ServiceCertificate(Certificate):
            volunteer = models.ForeignKey(Volunteer, ...)
            hours = ...

    `kind` is the registered kind that numbered it; `token` is the unguessable part of the check
    page's address, `number` the human-readable reference printed on the paper."""

    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    number = models.CharField(_("certificate number"), max_length=32, unique=True)
    token = models.CharField(max_length=64, unique=True)
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="certificates", verbose_name=_("holder"))
    # As printed: the check page shows it masked (张*明), and only that.
    holder_name = models.CharField(_("holder's name"), max_length=50)
    issuer_name = models.CharField(_("issued by (organization)"), max_length=120)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("issued by"))
    issued_at = models.DateTimeField(_("issued at"))
    status = models.CharField(_("status"), max_length=8, choices=CertificateStatus.choices,
                              default=CertificateStatus.ISSUED)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("revoked by"))
    revoke_reason = models.CharField(_("reason for revoking"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="issued", revoked_at__isnull=True)
                | models.Q(status="revoked", revoked_at__isnull=False) & ~models.Q(revoke_reason=""),
                name="certificate_revoked_with_time_and_reason")
        ]

    def __str__(self):
        return self.number

    @property
    def is_revoked(self):
        return self.status == CertificateStatus.REVOKED


class Upload(models.Model):
    """A file arriving in resumable pieces (the tus protocol, core.uploads): the bytes so far are
    in a local file named by `id`; `offset` says how many. Finished when offset == length."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(_("purpose"), max_length=40)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    length = models.BigIntegerField(_("size"))
    offset = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        constraints = [models.CheckConstraint(condition=models.Q(offset__gte=0, offset__lte=models.F("length")),
                                              name="upload_offset_within_length")]
