"""The points ledger: append-only entries, the balance cached on the account (积分).

A balance changes only in `actions.do_post`, inside the entry's transaction, under a row
lock on the account; it never goes below zero (also a database constraint). Entries are
never edited or deleted: a correction is a new entry.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import EntryKind


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
        ]

    def __str__(self):
        return f"{self.account_id} {self.delta:+d} {self.kind}"
