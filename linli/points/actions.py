"""Every write to the points ledger goes through `do_post`.

do_post(user, delta, kind, *, idempotency_key, reference="", actor=None, note="", area_code="") -> PointsEntry
    One entry and the account's new balance, in one transaction under a row lock on the
    account. The same `idempotency_key` posts once: a second call returns the first entry and
    changes nothing (approving hours twice posts their points once). Credits (earn, refund, a
    positive adjust) can be spent later; debits (redeem, expire, a negative adjust) spend the
    oldest unspent credits first, so expiry takes what was earned longest ago, and record what
    they took in PointsAllocation rows. A refund of a debit (`refund_of`) gives those amounts
    back to the same credits instead of becoming a new credit: refunded points keep their age,
    and those already past expiry expire in the refund's transaction.
    Invariants: balance == Σ delta == Σ remaining of the credits; remaining of a credit ==
    delta - Σ its allocations.
    PointsError codes: bad_points (a zero delta, or a sign the kind does not allow),
    insufficient_points (the balance would go below zero).
balance_of(user) -> int
check_adjust(staff, user, delta, reason, key) -> PointsEntry   a correction by community staff (once per key)
points_for_hours(hours, per_hour) -> int                   points for volunteer/service hours, half up

The rewards shop (积分超市), every write a check_* (input and permission) then a do_*:
check_save_reward(user, data, reward=None) -> Reward      staff in scope create or edit a reward
check_redeem(user, reward_id) -> Redemption                points and stock taken in one transaction
check_cancel(user, redemption_id) -> Redemption            the resident or staff; refunds points and stock
check_fulfil(user, code) -> Redemption                     the provider's staff, by pickup code
expire_points(now=None) -> int                             the scheduled expiry; safe to run twice, concurrently
PointsError codes besides: not_available, out_of_stock, limit_reached, not_pending (cancel), bad_reward,
already_fulfilled and cancelled (fulfil), key_reused (adjust).
"""

from __future__ import annotations

import secrets
import uuid
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Sum
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _, ngettext

from linli.accounts.choices import Role
from linli.core.scoping import scope_for
from linli.core import outbox
from linli.core.errors import ActionError
from linli.places.choices import AreaLevel

from . import queries
from .choices import LEADERBOARD_KINDS, EntryKind, RedemptionStatus, RewardKind
from .models import PointsAccount, PointsAllocation, PointsEntry, PointsYearTotal, Redemption, Reward

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


def _spend(account, debit):
    """Take the debit's points from the account's oldest unspent credits (rows locked with the
    account), recording what came from which credit."""
    amount = -debit.delta
    credits = PointsEntry.objects.select_for_update().filter(account=account, remaining__gt=0).order_by("created_at", "id")
    changed, taken = [], []
    for credit in credits.only("id", "remaining"):
        if amount == 0:
            break
        take = min(credit.remaining, amount)
        credit.remaining -= take
        amount -= take
        changed.append(credit)
        taken.append(PointsAllocation(entry=debit, credit_id=credit.pk, amount=take))
    PointsEntry.objects.bulk_update(changed, ["remaining"])
    PointsAllocation.objects.bulk_create(taken)


def _restore(account, refund, debit) -> bool:
    """Give the points `debit` took back to the credits it took them from; False when the debit
    has no allocations (posted before they were recorded): the refund is then a credit itself."""
    taken = {}
    for credit_id, amount in PointsAllocation.objects.filter(entry=debit).values_list("credit_id", "amount"):
        taken[credit_id] = taken.get(credit_id, 0) + amount
    if not taken:
        return False
    if sum(taken.values()) != refund.delta:
        raise PointsError("bad_points", _("A refund must give back exactly what was taken."))
    credits = list(PointsEntry.objects.select_for_update().filter(pk__in=taken).only("id", "remaining"))
    for credit in credits:
        credit.remaining += taken[credit.pk]
    PointsEntry.objects.bulk_update(credits, ["remaining"])
    PointsAllocation.objects.bulk_create(
        PointsAllocation(entry=refund, credit_id=credit_id, amount=-amount) for credit_id, amount in taken.items())
    return True


def do_post(user, delta, kind, *, idempotency_key, reference="", actor=None, note="", area_code="",
            refund_of=None) -> PointsEntry:
    _check(delta, kind)
    if refund_of is not None and (kind != EntryKind.REFUND or refund_of.delta >= 0):
        raise PointsError("bad_points", _("Only a debit can be refunded."))
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
        if refund_of is not None and refund_of.account_id != account.pk:
            raise PointsError("bad_points", _("Only a debit can be refunded."))
        entry = PointsEntry.objects.create(
            account=account, delta=delta, kind=kind, idempotency_key=key, reference=str(reference)[:100],
            remaining=max(delta, 0), actor=actor, note=str(note)[:200], area_code=area_code,
        )
        if delta < 0:
            _spend(account, entry)
        restored = refund_of is not None and _restore(account, entry, refund_of)
        if restored:
            PointsEntry.objects.filter(pk=entry.pk).update(remaining=0)
            entry.remaining = 0
        PointsAccount.objects.filter(pk=account.pk).update(balance=F("balance") + delta)
        if kind in LEADERBOARD_KINDS:
            _add_to_year_total(account, entry)
        if restored:
            # Restored points already past expiry expire now: the next run would not see them
            # apart from an earlier run's key, and a refund must not extend their life.
            _expire_locked(account, user, expiry_cutoff(), f"expire:{key}")
    return entry


def _add_to_year_total(account, entry):
    # Under the account's lock: no other post of this account can race for the row.
    year = timezone.localtime(entry.created_at).year
    totals = PointsYearTotal.objects.filter(account=account, area_code=entry.area_code, year=year)
    if not totals.update(points=F("points") + entry.delta):
        PointsYearTotal.objects.create(account=account, area_code=entry.area_code, year=year, points=entry.delta)


def balance_of(user) -> int:
    return PointsAccount.objects.filter(user=user).values_list("balance", flat=True).first() or 0


# -- rewards catalog ------------------------------------------------------------------------------

REWARD_FIELDS = ("name", "description", "kind", "cost", "stock", "per_person_limit", "available_from",
                 "available_until", "active")


def check_save_reward(user, data, reward=None) -> Reward:
    """Create (reward None) or edit a reward. `data` holds REWARD_FIELDS plus `community` (an Area)
    and `provider` (an Organization or None), already parsed (forms and serializers do that).
    A reward outside the user's scope answers 404; a community or provider outside it, bad_reward."""
    scope = scope_for(user, "points.manage")
    if reward is not None:
        reward = scope.get_or_404(Reward.objects.all(), area_path="community__path", org_path="provider__path",
                                  pk=reward.pk)
    community, provider = data.get("community"), data.get("provider")
    if community is None or community.level != AreaLevel.COMMUNITY:
        raise PointsError("bad_reward", _("Choose a community."), field="community")
    if provider is not None and not (scope.contains_organization(provider) or scope.contains_area(community)):
        raise PointsError("bad_reward", _("You cannot add rewards of this provider."), field="provider")
    if not (scope.contains_area(community) or (
            provider is not None and scope.contains_organization(provider)
            and provider.area_id and community.path.startswith(provider.area.path))):
        raise PointsError("bad_reward", _("You cannot add rewards to this community."), field="community")
    if not str(data.get("name") or "").strip():
        raise PointsError("bad_reward", _("Give the reward a name."), field="name")
    if data.get("kind") not in RewardKind.values:
        raise PointsError("bad_reward", _("Choose goods or a service."), field="kind")
    for field in ("cost", "stock"):
        value = data.get(field)
        if isinstance(value, bool) or not isinstance(value, int) or value < (1 if field == "cost" else 0) \
                or value > MAX_POINTS:
            raise PointsError("bad_reward", _("Enter a whole number in range."), field=field)
    limit = data.get("per_person_limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_POINTS):
        raise PointsError("bad_reward", _("Enter a whole number in range."), field="per_person_limit")
    start, end = data.get("available_from"), data.get("available_until")
    if start and end and end <= start:
        raise PointsError("bad_reward", _("The end must come after the start."), field="available_until")
    return do_save_reward(user, data, reward)


MAX_POINTS = 1_000_000


def do_save_reward(user, data, reward=None) -> Reward:
    values = {field: data.get(field) for field in REWARD_FIELDS}
    values["name"] = str(values["name"]).strip()[:100]
    values["description"] = str(values["description"] or "")
    values["active"] = bool(values["active"])
    with transaction.atomic():
        if reward is None:
            reward = Reward.objects.create(
                community=data["community"], provider=data.get("provider"), created_by=user, **values
            )
            return reward
        reward = Reward.objects.select_for_update().get(pk=reward.pk)
        for field, value in values.items():
            setattr(reward, field, value)
        reward.community, reward.provider = data["community"], data.get("provider")
        reward.save()
    return reward


# -- redemption -----------------------------------------------------------------------------------

# Pickup codes: no 0/O, 1/I/L, so a code read aloud or typed from a phone screen is not mistaken.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def new_pickup_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code) -> str:
    return "".join(str(code or "").split()).upper().replace("-", "")[:20]


def check_redeem(user, reward_id) -> Redemption:
    """Redeem a reward of the user's shop (any other answers 404)."""
    reward = queries.shop_rewards(user, available_only=False).filter(pk=reward_id).first()
    if reward is None:
        raise Http404
    return do_redeem(user, reward)


def do_redeem(user, reward) -> Redemption:
    now = timezone.now()
    with transaction.atomic():
        # Every redemption of this reward waits here: stock and the per-person count are exact.
        reward = Reward.objects.select_for_update().get(pk=reward.pk)
        if not reward.is_available(now):
            raise PointsError("not_available", _("This reward is not available now."))
        if reward.stock < 1:
            raise PointsError("out_of_stock", _("This reward is out of stock."))
        if reward.per_person_limit is not None:
            taken = Redemption.objects.filter(reward=reward, user=user).exclude(
                status=RedemptionStatus.CANCELLED).count()
            if taken >= reward.per_person_limit:
                raise PointsError("limit_reached", ngettext(
                    "You have already redeemed this reward %(limit)d time.",
                    "You have already redeemed this reward %(limit)d times.", reward.per_person_limit,
                ) % {"limit": reward.per_person_limit})
        redemption = _create_redemption(reward, user)
        do_post(user, -reward.cost, EntryKind.REDEEM, idempotency_key=f"redeem:{redemption.pk}",
                reference=f"redemption:{redemption.pk}", actor=user, note=reward.name)
        Reward.objects.filter(pk=reward.pk).update(stock=F("stock") - 1)
        _emit("redeemed", redemption, user)
    return redemption


def _emit(event, redemption, actor):
    """The outbox message of a redemption step (linli.points.notifications tells the resident)."""
    outbox.emit(f"points.redemption.{event}", {
        "redemption_id": redemption.pk, "user_id": redemption.user_id, "actor_id": getattr(actor, "pk", None)})


def _create_redemption(reward, user) -> Redemption:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Redemption.objects.create(reward=reward, user=user, points=reward.cost, code=new_pickup_code())
        except IntegrityError:
            continue  # the code was taken (about one in 10^11): draw another
    raise PointsError("busy", _("Please try again."))


def check_cancel(user, redemption_id) -> Redemption:
    """The resident cancels their own, staff one of a reward in their scope; others answer 404."""
    redemption = queries.cancellable_redemptions(user).filter(pk=redemption_id).first()
    if redemption is None:
        raise Http404
    return do_cancel(user, redemption)


def do_cancel(user, redemption) -> Redemption:
    with transaction.atomic():
        # Lock order reward → redemption → account, as in do_redeem.
        Reward.objects.select_for_update().filter(pk=redemption.reward_id).first()
        redemption = Redemption.objects.select_for_update().get(pk=redemption.pk)
        if redemption.status != RedemptionStatus.PENDING:
            raise PointsError("not_pending", _("Only a redemption not yet picked up can be cancelled."))
        debit = PointsEntry.objects.filter(idempotency_key=f"redeem:{redemption.pk}").first()
        do_post(redemption.user, redemption.points, EntryKind.REFUND,
                idempotency_key=f"refund:redemption:{redemption.pk}", reference=f"redemption:{redemption.pk}",
                actor=user, refund_of=debit)
        Reward.objects.filter(pk=redemption.reward_id).update(stock=F("stock") + 1)
        redemption.status, redemption.cancelled_at, redemption.cancelled_by = (
            RedemptionStatus.CANCELLED, timezone.now(), user)
        redemption.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        _emit("cancelled", redemption, user)
    return redemption


def check_fulfil(user, code) -> Redemption:
    """Hand over a reward against its pickup code; a code outside the user's scope answers 404."""
    code = normalize_code(code)
    redemption = queries.managed_redemptions(user).filter(code=code).first() if code else None
    if redemption is None:
        raise Http404
    return do_fulfil(user, redemption)


def do_fulfil(user, redemption) -> Redemption:
    with transaction.atomic():
        redemption = Redemption.objects.select_for_update().get(pk=redemption.pk)
        if redemption.status == RedemptionStatus.FULFILLED:
            raise PointsError("already_fulfilled", _("This code has already been used (%(time)s).") % {
                "time": timezone.localtime(redemption.fulfilled_at).strftime("%Y-%m-%d %H:%M")})
        if redemption.status != RedemptionStatus.PENDING:
            raise PointsError("cancelled", _("This redemption was cancelled."))
        redemption.status, redemption.fulfilled_at, redemption.fulfilled_by = (
            RedemptionStatus.FULFILLED, timezone.now(), user)
        redemption.save(update_fields=["status", "fulfilled_at", "fulfilled_by"])
        _emit("fulfilled", redemption, user)
    return redemption


# -- expiry -----------------------------------------------------------------------------------------


def expiry_cutoff(now=None):
    """Points earned before this moment expire (settings.POINTS_EXPIRE_MONTHS months ago)."""
    now = now or timezone.now()
    months = int(getattr(settings, "POINTS_EXPIRE_MONTHS", 12))
    year, month = divmod(now.month - 1 - months, 12)
    day = min(now.day, [31, 29 if _leap(now.year + year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month])
    return now.replace(year=now.year + year, month=month + 1, day=day)


def _leap(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def do_expire_account(account_id, cutoff) -> PointsEntry | None:
    """One `expire` entry for the account's credits older than `cutoff` still unspent, or None.
    Under the account's lock, so a concurrent run finds nothing left; the key names the newest
    expired credit, so a repeat posts nothing either."""
    with transaction.atomic():
        account = PointsAccount.objects.select_for_update().select_related("user").get(pk=account_id)
        return _expire_locked(account, account.user, cutoff, None)


def _expire_locked(account, user, cutoff, key) -> PointsEntry | None:
    """Expire the account's credits older than `cutoff` (the account locked by the caller)."""
    old = PointsEntry.objects.filter(account=account, remaining__gt=0, created_at__lt=cutoff).aggregate(
        points=Sum("remaining"), newest=Max("id"))
    if not old["points"]:
        return None
    return do_post(user, -old["points"], EntryKind.EXPIRE,
                   idempotency_key=key or f"expire:{account.pk}:{old['newest']}",
                   note=_("Points earned before %(date)s expired.") % {
                       "date": timezone.localtime(cutoff).strftime("%Y-%m-%d")})


def expire_points(now=None) -> int:
    """Expire every account's points older than the cutoff; returns how many entries were posted."""
    cutoff = expiry_cutoff(now)
    posted = 0
    for account_id in queries.accounts_with_points_before(cutoff):
        if do_expire_account(account_id, cutoff) is not None:
            posted += 1
    return posted


# -- corrections by staff ---------------------------------------------------------------------------

MAX_REASON = 200


def adjust_area(staff, user):
    """The community of `user`'s resident role within `staff`'s shop scope (their area), or None."""
    scope = scope_for(staff, "points.manage")
    if not scope.is_global and not scope.area_paths:
        return None
    role = user.role_assignments.filter(scope.q(area_path="area__path"), role=Role.RESIDENT,
                                        area__isnull=False).select_related("area").order_by("id").first()
    return role.area if role else None


def check_adjust(staff, user, delta, reason, key) -> PointsEntry:
    """A correction of a resident's points by staff of their community, with a reason. `key` is
    a client-made UUID: a retried request posts once (and answers the first entry); the same key
    for another person or amount is refused (key_reused). Not community staff: PermissionDenied;
    a person not living in the staff's area: 404."""
    scope = scope_for(staff, "points.manage")
    if not scope.is_global and not scope.area_paths:
        raise PermissionDenied
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0 or abs(delta) > MAX_POINTS:
        raise PointsError("bad_points", _("Enter a whole number of points other than zero."), field="delta")
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise PointsError("bad_points", _("Give the reason for the correction."), field="reason")
    if len(reason) > MAX_REASON:
        raise PointsError("bad_points", _("Keep the reason under %(n)d characters.") % {"n": MAX_REASON},
                          field="reason")
    try:
        key = uuid.UUID(str(key))
    except ValueError:
        raise PointsError("bad_points", _("The request key must be a UUID."), field="key") from None
    area = adjust_area(staff, user) if user is not None else None
    if area is None:
        raise Http404
    return do_adjust(staff, user, delta, reason, key, area.code)


def do_adjust(staff, user, delta, reason, key, area_code) -> PointsEntry:
    entry = do_post(user, delta, EntryKind.ADJUST, idempotency_key=f"adjust:{key}", reference=f"adjust:{key}",
                    actor=staff, note=reason, area_code=area_code)
    if entry.kind != EntryKind.ADJUST or entry.account.user_id != user.pk or entry.delta != delta:
        raise PointsError("key_reused", _("This request key was already used for another correction."), field="key")
    return entry


# -- points for hours -------------------------------------------------------------------------------


def points_for_hours(hours, per_hour) -> int:
    """Points for `hours` of work at `per_hour` points an hour, rounded half up to a whole point
    (1.25 h × 2 = 2.5 → 3). Decimal arithmetic: 0.1 h steps add up exactly."""
    try:
        return int((Decimal(str(hours)) * Decimal(str(per_hour))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except (InvalidOperation, ValueError, OverflowError):
        raise ValueError(f"not a number of points: {hours!r} h × {per_hour!r}") from None
