from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from linli.core.models import TimelineEvent, event_action_field, event_status_field

from .choices import Action, CaseStatus, CategoryKind, Channel, Priority, SlaState


class Category(MP_Node):
    """A case class. Roots are the two kinds (部件 / 事件); time limits and
    priority left empty are inherited from the nearest ancestor that sets them."""

    name = models.CharField(_("name"), max_length=60)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CategoryKind.choices)
    accept_hours = models.PositiveSmallIntegerField(_("accept within (working hours)"), null=True, blank=True)
    resolve_days = models.PositiveSmallIntegerField(_("resolve within (working days)"), null=True, blank=True)
    default_priority = models.PositiveSmallIntegerField(
        _("default priority"), choices=Priority.choices, null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name


class RoutingRule(models.Model):
    """For cases of a category (and its subclasses; empty = any) in an area's
    subtree, the handling unit. The deepest area wins, then the deepest category."""

    area = models.ForeignKey("places.Area", on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("area"))
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("category")
    )
    unit = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("handling unit")
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.UniqueConstraint(fields=["area", "category"], name="routing_one_rule_per_area_category"),
            # NULL != NULL in SQL: the "any category" rule needs its own constraint.
            models.UniqueConstraint(
                fields=["area"], condition=models.Q(category__isnull=True), name="routing_one_catch_all_per_area"
            ),
        ]

    def __str__(self):
        return f"{self.area} · {self.category or '*'} → {self.unit}"


class Case(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="cases", verbose_name=_("category"))
    description = models.TextField(_("description"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)

    # Where: the grid containing the point, or (unlocated) the street whose
    # queue must place it by hand. area_code copies area.code so scoped lists
    # filter on one indexed column of this table (codes extend their parent's).
    area = models.ForeignKey(
        "places.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("area")
    )
    area_code = models.CharField(max_length=15, blank=True, db_index=True)
    unlocated = models.BooleanField(_("unlocated"), default=False)

    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.REPORTED)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reported_cases",
        verbose_name=_("reporter"),
    )
    # For reports made on a resident's behalf (patrol, walk-in, hotline).
    reporter_name = models.CharField(_("reporter name"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=11, blank=True)
    show_reporter_name = models.BooleanField(_("show my name"), default=False)

    # Who handles it: the dispatcher queue (a street or community, moved up by
    # escalation) and, once dispatched, the lead unit.
    queue_area = models.ForeignKey(
        "places.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="queued_cases",
        verbose_name=_("dispatch queue"),
    )
    unit = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="cases",
        verbose_name=_("handling unit"),
    )
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    board_area = models.ForeignKey(
        "places.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="board_cases",
        verbose_name=_("claim board"),
    )
    published_at = models.DateTimeField(null=True, blank=True)

    # Time limits, in working time (core.calendar).
    accept_due = models.DateTimeField(_("accept by"), null=True, blank=True)
    resolve_due = models.DateTimeField(_("resolve by"), null=True, blank=True)
    # Set at verification: the command center calls the resident back (回访) and closes by then.
    close_due = models.DateTimeField(_("close by"), null=True, blank=True)
    # The grid worker a grid leader sent to check the fix (else any verifier of the grid).
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("assigned verifier"),
    )
    sla_state = models.CharField(_("time limit"), max_length=12, choices=SlaState.choices, default=SlaState.ON_TRACK)
    # Set when the SLA sweep escalated the case for the running limit (once per limit).
    sla_escalated = models.BooleanField(default=False)
    supervised = models.BooleanField(_("under supervision"), default=False)
    reminder_count = models.PositiveSmallIntegerField(default=0)
    rework_count = models.PositiveSmallIntegerField(_("rework count"), default=0)
    reopened = models.BooleanField(default=False)

    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.CharField(_("rating comment"), max_length=500, blank=True)

    created_at = models.DateTimeField(_("reported at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            # the queue: newest first within a scope and status (keyset on id)
            # (varchar_pattern_ops: PostgreSQL serves `area_code LIKE 'prefix%'` from it
            # whatever the database collation; other databases ignore opclasses)
            models.Index(
                fields=["area_code", "status", "-id"], name="case_queue",
                opclasses=["varchar_pattern_ops", "varchar_ops", "int8_ops"],
            ),
            models.Index(fields=["status", "-id"], name="case_status"),
            models.Index(fields=["unit", "status", "-id"], name="case_unit_inbox"),
            models.Index(fields=["reporter", "-id"], name="case_reporter"),
            models.Index(fields=["sla_state", "status"], name="case_sla"),
            # duplicate suggestions: same category, a latitude band
            models.Index(fields=["category", "lat"], name="case_nearby"),
            # the ledger: an index-only scan of an area's cases in a period (PostgreSQL;
            # SQLite has no covering indexes and skips it) — bench/README.md, S4
            models.Index(
                fields=["area_code", "created_at"],
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                include=["id", "status", "category", "resolved_at", "accept_due", "resolve_due", "rating", "rework_count"],
                name="case_ledger",
            ),
        ]

    def __str__(self):
        return self.number or f"#{self.pk}"


class CaseEvent(TimelineEvent):
    """Append-only timeline: who did what, from which status to which (core.models.TimelineEvent)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case"))
    action = event_action_field(Action)
    from_status = event_status_field(CaseStatus, _("from status"))
    to_status = event_status_field(CaseStatus, _("to status"))

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["case", "id"], name="case_event_timeline")]


def case_photo_path(instance, filename):
    return f"cases/{instance.case_id}/{filename}"


class CasePhoto(models.Model):
    """A re-encoded photo (EXIF stripped) and its thumbnail; `event` is the
    timeline entry it belongs to (the report, or a resolve's evidence)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos")
    image = models.ImageField(upload_to=case_photo_path, width_field="width", height_field="height")
    thumbnail = models.ImageField(upload_to=case_photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("case photo")
        verbose_name_plural = _("case photos")


class CaseAssist(models.Model):
    """A unit assisting the lead unit (协办)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assists")
    unit = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="assisted_cases")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "unit"], name="case_assist_once")]


class CaseFollower(models.Model):
    """A resident following an existing case instead of filing a duplicate."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_cases")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_follow_once")]
