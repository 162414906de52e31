"""Service offerings (服务菜单) and service orders (点单 → 派单 → 接单 → 评单) with their timeline.

Teams are orgs.Organization(kind="volunteer_team"); their leaders hold
Role.VOLUNTEER_TEAM_LEADER on the team. Every write goes through actions.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.models import TimelineEvent, event_action_field, event_status_field

from .choices import OfferingKind, OrderAction, OrderStatus


class ServiceOffering(models.Model):
    """One item of a team's menu, offered in the areas it serves."""

    team = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="service_offerings", verbose_name=_("team")
    )
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=24, choices=OfferingKind.choices)
    description = models.TextField(_("description"), blank=True)
    # When the team serves, in the team's words (e.g. "每周六上午 9:00–11:30"): residents book inside it.
    available = models.CharField(_("when"), max_length=80, blank=True)
    areas = models.ManyToManyField("places.Area", related_name="+", verbose_name=_("areas served"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service offering")
        verbose_name_plural = _("service offerings")

    def __str__(self):
        return self.name


class ServiceOrder(models.Model):
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_orders", verbose_name=_("resident")
    )
    offering = models.ForeignKey(
        ServiceOffering, null=True, blank=True, on_delete=models.PROTECT, related_name="orders",
        verbose_name=_("service"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=OfferingKind.choices)
    area = models.ForeignKey("places.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    # The area's code, denormalized: scope filters on one indexed column (codes extend their parent's).
    area_code = models.CharField(max_length=15, db_index=True)
    address = models.CharField(_("address"), max_length=200)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.ORDERED)
    team = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="service_orders",
        verbose_name=_("team"),
    )
    # Published for the teams serving the area to grab (抢单); cleared when a team takes it.
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    done_note = models.TextField(_("what was done"), blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.CharField(_("rating comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("ordered at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="service_order_ends_after_start"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="service_order_rating_1_5"
            ),
        ]
        indexes = [models.Index(fields=["status", "published_at"], name="service_order_board")]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()}"


class ServiceOrderEvent(TimelineEvent):
    """The append-only timeline of an order (core.models.TimelineEvent)."""

    order = models.ForeignKey(ServiceOrder, on_delete=models.CASCADE, related_name="events", verbose_name=_("order"))
    action = event_action_field(OrderAction)
    from_status = event_status_field(OrderStatus, _("from status"))
    to_status = event_status_field(OrderStatus, _("to status"))

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["order", "id"], name="service_order_timeline")]


def photo_path(instance, filename):
    return f"service_orders/{instance.order_id}/{filename}"


class ServiceOrderPhoto(models.Model):
    order = models.ForeignKey(ServiceOrder, on_delete=models.CASCADE, related_name="photos")
    event = models.ForeignKey(ServiceOrderEvent, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=photo_path, width_field="width", height_field="height")
    thumbnail = models.ImageField(upload_to=photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)


class AssignedVolunteer(models.Model):
    """A team member sent on an order, with the hours the leader recorded afterwards."""

    order = models.ForeignKey(ServiceOrder, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=2, null=True, blank=True)
    points = models.IntegerField(_("points"), default=0)
    recorded_at = models.DateTimeField(null=True, blank=True)
    # How many times the recorded hours were corrected: each correction's points entry has its own key.
    corrections = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "user"], name="service_order_volunteer_once")]
