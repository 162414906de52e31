from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from .choices import (
    CIV_CENTER_TITLES,
    JoinMode,
    MembershipRole,
    MembershipStatus,
    NewSector,
    OrganizationKind,
    PairingKind,
)


class Organization(MP_Node):
    """A body with its own parent tree (e.g. women's federations city → community)."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganizationKind.choices, db_index=True)
    area = models.ForeignKey(
        "places.Area", verbose_name=_("area served"), on_delete=models.PROTECT, related_name="organizations"
    )
    # Subset of NewSector values ("三新" fields the body belongs to).
    new_sectors = models.JSONField(_("new-sector tags"), default=list, blank=True)
    founded_on = models.DateField(_("founding date"), null=True, blank=True)
    join_mode = models.CharField(_("how to join"), max_length=12, choices=JoinMode.choices, default=JoinMode.OPEN)

    node_order_by = ["kind", "name"]

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        indexes = [models.Index(fields=["kind", "area"], name="org_kind_area")]

    def __str__(self):
        return self.name

    def clean(self):
        unknown = set(self.new_sectors or []) - set(NewSector.values)
        if unknown:
            raise ValidationError({"new_sectors": _("Unknown new-sector tags: %s") % ", ".join(sorted(unknown))})

    @property
    def civ_center_title(self):
        if self.kind != OrganizationKind.CIV_CENTER:
            return ""
        return CIV_CENTER_TITLES.get(self.area.level, "")

    def subtree(self):
        return Organization.objects.filter(path__startswith=self.path)


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=MembershipStatus.ACTIVE)

    def members(self):
        """Rows of the plain member role (a volunteer team's members, whatever their status)."""
        return self.filter(role=MembershipRole.MEMBER)


class Membership(models.Model):
    """The one person ↔ organization table: roles (chair, member …) and, for organizations people join
    themselves (volunteer teams), the way there (applied, invited) and out (left, removed)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships",
                             verbose_name=_("person"))
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships",
                                     verbose_name=_("organization"))
    role = models.CharField(_("role"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    since = models.DateField(_("since"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=MembershipStatus.choices,
                              default=MembershipStatus.ACTIVE)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("decided by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="membership_unique_role")
        ]
        indexes = [models.Index(fields=["organization", "role", "status"], name="membership_org_role_status")]

    def __str__(self):
        return f"{self.user} · {self.organization} · {self.get_role_display()}"


class Pairing(models.Model):
    """A unit paired with an area (包片联村) or a station it supports (“1+1+1” 结对共建)."""

    unit = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="pairings", verbose_name=_("unit"))
    kind = models.CharField(_("kind"), max_length=16, choices=PairingKind.choices)
    area = models.ForeignKey(
        "places.Area", null=True, blank=True, on_delete=models.CASCADE, related_name="pairings", verbose_name=_("area")
    )
    station = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="supporting_pairings",
        verbose_name=_("station"),
    )
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(area__isnull=False, station__isnull=True) | models.Q(area__isnull=True, station__isnull=False)),
                name="pairing_area_xor_station",
            ),
            models.UniqueConstraint(fields=["unit", "area"], name="pairing_unique_area"),
            models.UniqueConstraint(fields=["unit", "station"], name="pairing_unique_station"),
        ]

    def __str__(self):
        return f"{self.unit} → {self.area or self.station}"
