"""12345 hotline exchange: where work orders come from, each import, and the link from a
hotline work order (工单) to the case it became.

The hotline's own due date (办理时限) stays on `HotlineOrder.due_at`: the case's time limits
come from its category, as for every other channel (cases' SLA engine is not changed).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_lazy as _

from linli.core.spreadsheets import TOO_BIG_REASONS, TooBig, too_big_message

from .choices import NO_ROWS, UNREADABLE, JobStatus


class HotlineSource(models.Model):
    """A sender of work orders (e.g. "厦门市12345") as one street or community receives them;
    remembers the column mapping of its files so the next import needs no mapping."""

    name = models.CharField(_("name"), max_length=60)
    area = models.ForeignKey(
        "places.Area", on_delete=models.PROTECT, related_name="hotline_sources", verbose_name=_("area")
    )
    # {field: header text}; see choices.FIELDS
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    # The header row of the last file: the layout of exports by date range.
    headers = models.JSONField(default=list, blank=True)
    fallback_category = models.ForeignKey(
        "cases.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("fallback category"),
    )
    coord_system = models.CharField(_("coordinate system"), max_length=8, default="wgs84")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hotline source")
        verbose_name_plural = _("hotline sources")
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="hotline_source_name_per_area")]

    def __str__(self):
        return self.name


def import_file_path(instance, filename):
    return f"hotline/imports/{instance.source_id}/{filename}"


class ImportJob(models.Model):
    source = models.ForeignKey(HotlineSource, on_delete=models.PROTECT, related_name="jobs", verbose_name=_("source"))
    # The area the cases land in (the source's); copied for scoped lists.
    area = models.ForeignKey("places.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="hotline_imports", verbose_name=_("imported by")
    )
    status = models.CharField(_("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.MAPPING)
    file = models.FileField(upload_to=import_file_path, max_length=200)
    file_name = models.CharField(_("file"), max_length=200)
    file_format = models.CharField(max_length=8)  # xlsx / xls / csv
    encoding = models.CharField(max_length=16, blank=True)  # csv only
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    fallback_category = models.ForeignKey(
        "cases.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    coord_system = models.CharField(max_length=8, default="wgs84")
    total = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("processed"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    skipped = models.PositiveIntegerField(_("already imported"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    error_file = models.FileField(upload_to=import_file_path, max_length=200, blank=True)
    message = models.CharField(max_length=500, blank=True)  # why a whole job failed
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("hotline import")
        verbose_name_plural = _("hotline imports")
        indexes = [models.Index(fields=["area", "-id"], name="hotline_job_area")]

    def __str__(self):
        return f"{self.source} · {self.file_name}"

    @property
    def percent(self):
        return 100 if self.status == JobStatus.DONE else (int(100 * self.done / self.total) if self.total else 0)

    @property
    def is_running(self):
        return self.status in (JobStatus.READING, JobStatus.QUEUED, JobStatus.RUNNING)

    @property
    def failed_reading(self):
        """The file was refused before any row was imported (see actions.do_fail_reading)."""
        return self.status == JobStatus.FAILED and self.started_at is None

    @property
    def problem(self):
        """Why the job failed, in the reader's language: reading failures are stored as codes."""
        if self.message == UNREADABLE:
            return gettext("This file cannot be read. Upload an Excel (.xlsx or .xls) or CSV file.")
        if self.message == NO_ROWS:
            return gettext("The file has a header row but no work orders.")
        if self.message in TOO_BIG_REASONS:
            return too_big_message(TooBig(self.message))
        return self.message


class ImportRowError(models.Model):
    """One refused row of an import, for the error report (问题清单)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField()  # as the spreadsheet numbers it (header = 1)
    external_number = models.CharField(max_length=64, blank=True)
    code = models.CharField(max_length=32)
    message = models.CharField(max_length=300)

    class Meta:
        indexes = [models.Index(fields=["job", "row_number"], name="hotline_row_error")]


class HotlineOrder(models.Model):
    """A hotline work order and the case it became; created in the same transaction as the case."""

    source = models.ForeignKey(HotlineSource, on_delete=models.PROTECT, related_name="orders")
    job = models.ForeignKey(ImportJob, on_delete=models.PROTECT, related_name="orders")
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="hotline_order")
    external_number = models.CharField(_("work order number"), max_length=64)
    row_number = models.PositiveIntegerField()
    # The row as received, in the file's column order (job.headers): exports write it back.
    values = models.JSONField(default=list)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    # 办理时限 of the hotline center; kept here, not in the case's SLA.
    due_at = models.DateTimeField(_("hotline due date"), null=True, blank=True)
    caller_phone = models.CharField(max_length=20, blank=True)  # as given: landlines too
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hotline work order")
        verbose_name_plural = _("hotline work orders")
        constraints = [
            models.UniqueConstraint(fields=["source", "external_number"], name="hotline_order_once_per_source"),
        ]
        indexes = [
            models.Index(fields=["job", "row_number"], name="hotline_order_job"),
            models.Index(fields=["source", "received_at"], name="hotline_order_received"),
        ]

    def __str__(self):
        return self.external_number
