"""The points ledger: append-only entries, the balance cached on the account (积分).

A balance changes only in `actions.do_post`, inside the entry's transaction, under a row
lock on the account; it never goes below zero (also a database constraint). Entries are
never edited or deleted: a correction is a new entry.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import LEADERBOARD_KINDS, EntryKind, RedemptionStatus, RewardKind


class PointsAccount(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="points_account", verbose_name=_("person")
    )
    balance = models.IntegerField(_("balance"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [models.CheckConstraint(condition=models.Q(balance__gte=0), name="points_balance_not_negative")]

    def __str__(self):
        return f"{self.user} · {self.balance}"


class PointsEntry(models.Model):
    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="entries")
    delta = models.IntegerField(_("points"))
    kind = models.CharField(_("kind"), max_length=8, choices=EntryKind.choices)
    # What it is for, e.g. "activity-hours:12" or "redemption:7": the statement links it.
    reference = models.CharField(_("for"), max_length=100, blank=True)
    # The same key posts once: approving hours twice posts their points once.
    idempotency_key = models.CharField(max_length=120, unique=True)
    # Points of an earn/refund entry not yet spent or expired (spent oldest first).
    remaining = models.IntegerField(default=0)
    # The area the points were earned in (leaderboards by area).
    area_code = models.CharField(max_length=15, blank=True, db_index=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        constraints = [
            models.CheckConstraint(condition=~models.Q(delta=0), name="points_entry_not_zero"),
            models.CheckConstraint(condition=models.Q(remaining__gte=0), name="points_remaining_not_negative"),
        ]
        indexes = [
            models.Index(fields=["account", "id"], name="points_statement"),
            # the earned points still to spend or expire, oldest first
            models.Index(fields=["account", "created_at"], condition=models.Q(remaining__gt=0), name="points_unspent"),
            # leaderboards: an area-code prefix over a period, read from the index alone (PostgreSQL)
            models.Index(
                fields=["area_code", "created_at"], include=["account", "delta"], opclasses=["varchar_pattern_ops", ""],
                condition=models.Q(kind__in=LEADERBOARD_KINDS), name="points_leaderboard",
            ),
        ]

    def __str__(self):
        return f"{self.account_id} {self.delta:+d} {self.kind}"


class PointsAllocation(models.Model):
    """Which credits an entry took points from or gave them back to, written with the entry
    and never changed: a debit (redeem, expire, a negative adjust) takes `amount` > 0 from each
    credit it spent, oldest first; a refund gives the same amounts back to those credits
    (`amount` < 0), so refunded points keep their original age and expire when they would have.
    For every credit: remaining == delta - Σ amount of its allocations."""

    entry = models.ForeignKey(PointsEntry, on_delete=models.PROTECT, related_name="allocations")
    credit = models.ForeignKey(PointsEntry, on_delete=models.PROTECT, related_name="+")
    amount = models.IntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="points_allocation_not_zero")]


class PointsYearTotal(models.Model):
    """Net points earned (earn + adjust) by an account in an area in a (local) calendar year,
    kept by `do_post` under the account's lock: a year's leaderboard of a district sums these
    rows instead of every entry of the year."""

    account = models.ForeignKey(PointsAccount, on_delete=models.CASCADE, related_name="year_totals")
    area_code = models.CharField(max_length=15, blank=True)
    year = models.PositiveSmallIntegerField()
    points = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "area_code", "year"], name="points_year_total_once"),
        ]
        indexes = [
            models.Index(fields=["year", "area_code"], include=["account", "points"],
                         opclasses=["", "varchar_pattern_ops"], name="points_year_leaderboard"),
        ]


class Reward(models.Model):
    """A thing of a community's rewards shop (积分超市), bought with points."""

    community = models.ForeignKey(
        "places.Area", on_delete=models.PROTECT, related_name="rewards", verbose_name=_("community")
    )
    # Who gives it, e.g. the community's housekeeping social enterprise; empty: the community itself.
    provider = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="rewards",
        verbose_name=_("provider"),
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=RewardKind.choices, default=RewardKind.GOODS)
    cost = models.PositiveIntegerField(_("points needed"))
    stock = models.PositiveIntegerField(_("in stock"))
    # Redemptions per person, cancelled ones not counted; empty: no limit.
    per_person_limit = models.PositiveIntegerField(_("limit per person"), null=True, blank=True)
    available_from = models.DateTimeField(_("available from"), null=True, blank=True)
    available_until = models.DateTimeField(_("available until"), null=True, blank=True)
    active = models.BooleanField(_("on the shelf"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["cost", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(cost__gt=0), name="reward_cost_positive"),
            models.CheckConstraint(condition=models.Q(stock__gte=0), name="reward_stock_not_negative"),
        ]

    def __str__(self):
        return self.name

    def is_available(self, now):
        return (
            self.active
            and (self.available_from is None or self.available_from <= now)
            and (self.available_until is None or now < self.available_until)
        )


class Redemption(models.Model):
    """Points exchanged for a reward; picked up by showing the code to the provider."""

    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("reward"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("person")
    )
    points = models.PositiveIntegerField(_("points"))
    code = models.CharField(_("pickup code"), max_length=8, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RedemptionStatus.choices, default=RedemptionStatus.PENDING
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    fulfilled_at = models.DateTimeField(_("picked up at"), null=True, blank=True)
    fulfilled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        indexes = [
            models.Index(fields=["user", "id"], name="redemption_mine"),
            models.Index(fields=["reward", "user", "status"], name="redemption_per_person"),
        ]

    def __str__(self):
        return f"{self.code} · {self.reward_id}"
