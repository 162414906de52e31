"""Every write to the points ledger goes through `do_post`.

do_post(user, delta, kind, *, idempotency_key, reference="", actor=None, note="", area_code="") -> PointsEntry
    One entry and the account's new balance, in one transaction under a row lock on the
    account. The same `idempotency_key` posts once: a second call returns the first entry and
    changes nothing (approving hours twice posts their points once). Credits (earn, refund, a
    positive adjust) can be spent later; debits (redeem, expire, a negative adjust) spend the
    oldest unspent credits first, so expiry takes what was earned longest ago.
    PointsError codes: bad_points (a zero delta, or a sign the kind does not allow),
    insufficient_points (the balance would go below zero).
balance_of(user) -> int
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from linli.core.errors import ActionError

from .choices import EntryKind
from .models import PointsAccount, PointsEntry

POSITIVE_KINDS = frozenset({EntryKind.EARN, EntryKind.REFUND})
NEGATIVE_KINDS = frozenset({EntryKind.REDEEM, EntryKind.EXPIRE})


class PointsError(ActionError):
    """Bad input to a points action."""


def _check(delta, kind):
    if kind not in EntryKind.values:
        raise PointsError("bad_points", _("Unknown kind of points entry."))
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0:
        raise PointsError("bad_points", _("Points must be a whole number other than zero."))
    if (kind in POSITIVE_KINDS and delta < 0) or (kind in NEGATIVE_KINDS and delta > 0):
        raise PointsError("bad_points", _("This kind of entry cannot have this sign."))


def _locked_account(user) -> PointsAccount:
    account = PointsAccount.objects.select_for_update().filter(user=user).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            PointsAccount.objects.create(user=user)
    except IntegrityError:
        pass  # made meanwhile by a concurrent post
    return PointsAccount.objects.select_for_update().get(user=user)


def _spend(account, amount):
    """Take `amount` from the account's oldest unspent credits (rows locked with the account)."""
    credits = PointsEntry.objects.select_for_update().filter(account=account, remaining__gt=0).order_by("created_at", "id")
    changed = []
    for credit in credits.only("id", "remaining"):
        if amount == 0:
            break
        take = min(credit.remaining, amount)
        credit.remaining -= take
        amount -= take
        changed.append(credit)
    PointsEntry.objects.bulk_update(changed, ["remaining"])


def do_post(user, delta, kind, *, idempotency_key, reference="", actor=None, note="", area_code="") -> PointsEntry:
    _check(delta, kind)
    key = str(idempotency_key)
    if not key:
        raise PointsError("bad_points", _("An idempotency key is required."))
    with transaction.atomic():
        account = _locked_account(user)
        # Under the lock: a concurrent post of the same key has committed or will wait for us.
        existing = PointsEntry.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
        if account.balance + delta < 0:
            raise PointsError(
                "insufficient_points",
                _("Not enough points: %(balance)d available, %(needed)d needed.") % {
                    "balance": account.balance, "needed": -delta},
            )
        if delta < 0:
            _spend(account, -delta)
        entry = PointsEntry.objects.create(
            account=account, delta=delta, kind=kind, idempotency_key=key, reference=str(reference)[:100],
            remaining=max(delta, 0), actor=actor, note=str(note)[:200], area_code=area_code,
        )
        PointsAccount.objects.filter(pk=account.pk).update(balance=F("balance") + delta)
    return entry


def balance_of(user) -> int:
    return PointsAccount.objects.filter(user=user).values_list("balance", flat=True).first() or 0
