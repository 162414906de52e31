"""Reads of the points ledger and the rewards shop. No writes.

Who sees what:
    statement            one's own entries only
    shop                 rewards of the communities one lives or works in (a role on the community or below)
    catalog, redemptions staff with "points.manage" over the reward's community or its provider
    leaderboard          any signed-in person, any area: an honour board shows names and points, nothing else
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import Count, Q, Subquery, Sum
from django.utils import timezone
from django.utils.formats import date_format

from linli.accounts.choices import AREA_ROLES
from linli.core.scoping import scope_for
from linli.places.models import Area

from .choices import LEADERBOARD_KINDS, Period, RedemptionStatus
from .models import PointsAccount, PointsEntry, PointsYearTotal, Redemption, Reward

STATEMENT_PAGE = 20
LEADERBOARD_SIZE = 50


# -- scopes -------------------------------------------------------------------------------------


def managed_rewards(user):
    return scope_for(user, "points.manage").filter(
        Reward.objects.select_related("community", "provider"), area_path="community__path", org_path="provider__path"
    )


def managed_redemptions(user):
    return scope_for(user, "points.manage").filter(
        Redemption.objects.select_related("reward", "user"), area_path="reward__community__path",
        org_path="reward__provider__path",
    )


STAFF_PAGE = 50


def staff_redemptions(user, status=None, reward_id=None, before=None, size=STAFF_PAGE):
    """A page of the redemptions of rewards staff manage, newest first (keyset: `before` a
    redemption id), filtered by status and reward; (rows, next_before). One query."""
    rows = managed_redemptions(user).select_related("reward__community").order_by("-id")
    if status:
        rows = rows.filter(status=status)
    if reward_id:
        rows = rows.filter(reward_id=reward_id)
    if before:
        rows = rows.filter(id__lt=before)
    rows = list(rows[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].pk if more and rows else None)


def shop_community_paths(user) -> list[str]:
    """The paths of the areas above and at the user's area roles: a reward of one of these
    communities is in the user's shop."""
    if user is None or not user.is_authenticated:
        return []
    paths = set()
    for path in user.role_assignments.filter(role__in=AREA_ROLES, area__isnull=False).values_list(
            "area__path", flat=True):
        paths.update(path[:end] for end in range(Area.steplen, len(path) + 1, Area.steplen))
    return sorted(paths)


def shop_rewards(user, available_only=True):
    rewards = Reward.objects.filter(community__path__in=shop_community_paths(user)).select_related(
        "community", "provider")
    if available_only:
        now = timezone.now()
        rewards = rewards.filter(active=True).filter(
            Q(available_from__isnull=True) | Q(available_from__lte=now),
            Q(available_until__isnull=True) | Q(available_until__gt=now),
        )
    return rewards.order_by("cost", "id")


def my_redemptions(user):
    return Redemption.objects.filter(user=user).select_related("reward", "reward__community", "reward__provider") \
        .order_by("-id")


def cancellable_redemptions(user):
    """One's own, and those staff manage."""
    scope = scope_for(user, "points.manage")
    return Redemption.objects.filter(
        Q(user=user) | scope.q(area_path="reward__community__path", org_path="reward__provider__path")
    )


# -- statement ----------------------------------------------------------------------------------


@dataclass
class Statement:
    balance: int
    entries: list
    next_before: int | None  # the `before` of the next (older) page, None on the last


def statement(user, before=None, size=STATEMENT_PAGE) -> Statement:
    """One's entries, newest first by time (ids break ties: entries can be posted with an earlier
    time than the last one, e.g. hours approved late), a page by keyset (`before` an entry id):
    two queries whatever the page or the number of entries."""
    account = PointsAccount.objects.filter(user=user).values_list("pk", "balance").first()
    if account is None:
        return Statement(0, [], None)
    entries = PointsEntry.objects.filter(account_id=account[0]).order_by("-created_at", "-id")
    if before is not None:
        cursor = PointsEntry.objects.filter(account_id=account[0], pk=before).values("created_at")[:1]
        entries = entries.filter(
            Q(created_at__lt=Subquery(cursor)) | Q(created_at=Subquery(cursor), id__lt=before))
    rows = list(entries[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Statement(account[1], rows, rows[-1].pk if more and rows else None)


@dataclass
class Source:
    """What an entry came from, as the statement names it; `url` only where the person may open it."""

    label: str
    url: str = ""


# Who can name the source of an entry, by the prefix of its `reference` ("activity:12"):
# prefix → describe(user, ids) -> {id: Source}. Registered by the app that owns the reference in
# its AppConfig.ready (the points engine knows no domain app).
_SOURCES: dict = {}


def register_entry_source(prefix: str, describe) -> None:
    _SOURCES[prefix] = describe


def _redemptions(user, ids):
    from django.urls import reverse
    from django.utils.translation import gettext as _

    return {
        redemption.pk: Source(_("Reward: %(name)s") % {"name": redemption.reward.name},
                              f"{reverse('points:redemptions')}#r{redemption.pk}")
        for redemption in Redemption.objects.filter(pk__in=ids, user=user).select_related("reward")
    }


register_entry_source("redemption", _redemptions)


def entry_sources(user, entries) -> dict[int, Source]:
    """The source of each entry (by entry id), from its `reference` ("activity:12",
    "service-order:7", "redemption:3"): one query per kind of source on the page, whatever the
    number of entries."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        prefix, _sep, number = (entry.reference or "").partition(":")
        if number.isascii() and number.isdigit() and prefix in _SOURCES:
            wanted.setdefault(prefix, set()).add(int(number))
    sources = {(prefix, pk): source for prefix, ids in wanted.items()
               for pk, source in _SOURCES[prefix](user, ids).items()}
    found = {}
    for entry in entries:
        prefix, _sep, number = (entry.reference or "").partition(":")
        if number.isascii() and number.isdigit() and (prefix, int(number)) in sources:
            found[entry.pk] = sources[prefix, int(number)]
    return found


# -- leaderboard --------------------------------------------------------------------------------


def period_bounds(period, day) -> tuple[datetime, datetime]:
    """[start, end) of the month, quarter or year holding `day`, in local time."""
    if period == Period.MONTH:
        start = day.replace(day=1)
        end = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    elif period == Period.QUARTER:
        first = (day.month - 1) // 3 * 3 + 1
        start = day.replace(month=first, day=1)
        end = start.replace(year=start.year + (first + 3 > 12), month=(first + 2) % 12 + 1)
    else:
        start = day.replace(month=1, day=1)
        end = start.replace(year=start.year + 1)
    zone = timezone.get_current_timezone()
    return (timezone.make_aware(datetime.combine(start, time.min), zone),
            timezone.make_aware(datetime.combine(end, time.min), zone))


@dataclass
class Rank:
    rank: int
    user_id: int
    name: str
    points: int


def leaderboard(area_code, period, day, size=LEADERBOARD_SIZE) -> list[Rank]:
    """People by net points earned (earn + adjust) in the period, in the area's subtree (by the
    entries' area code prefix), most first; ties share a rank. Two queries whatever the rows."""
    if period == Period.YEAR:
        # a year sums the per-year totals do_post keeps: a row per person and area, not per entry
        rows = PointsYearTotal.objects.filter(year=day.year, area_code__startswith=area_code)
        amount = Sum("points")
    else:
        start, end = period_bounds(period, day)
        rows = PointsEntry.objects.filter(
            kind__in=LEADERBOARD_KINDS, area_code__startswith=area_code, created_at__gte=start, created_at__lt=end)
        amount = Sum("delta")
    top = list(
        rows.values("account_id").annotate(points=amount).filter(points__gt=0).order_by("-points", "account_id")[:size]
    )
    people = {
        pk: (user_id, name) for pk, user_id, name in PointsAccount.objects.filter(
            pk__in=[row["account_id"] for row in top]).values_list("pk", "user_id", "user__name")
    } if top else {}
    ranks, previous, rank = [], None, 0
    for position, row in enumerate(top, start=1):
        if row["points"] != previous:
            rank, previous = position, row["points"]
        user_id, name = people.get(row["account_id"], (None, ""))
        ranks.append(Rank(rank, user_id, name, row["points"]))
    return ranks


def accounts_with_points_before(cutoff):
    """Accounts holding unspent credits older than `cutoff` (the expiry job's work list)."""
    return list(
        PointsEntry.objects.filter(remaining__gt=0, created_at__lt=cutoff).values_list("account_id", flat=True)
        .distinct().order_by("account_id")
    )


def redemption_counts(rewards) -> dict:
    """{reward id: redemptions to pick up} for a list of rewards, one query."""
    return dict(
        Redemption.objects.filter(reward__in=rewards, status=RedemptionStatus.PENDING).values_list("reward_id")
        .annotate(n=Count("id")).order_by()
    ) if rewards else {}


LEADERBOARD_LEVELS = ("district", "street", "community")


def leaderboard_areas(user):
    """Areas a person may pick a leaderboard of: the district, street and community above their
    roles, and those in their scope (not every area of a city: a phone's list stays short)."""
    paths = shop_community_paths(user)
    scope = scope_for(user)
    condition = Q(path__in=paths)
    if scope.is_global:
        condition = Q()
    else:
        for path in scope.area_paths:
            condition |= Q(path__startswith=path)
    if not paths and not scope.is_global and not scope.area_paths:
        return Area.objects.none()
    return Area.objects.filter(condition, level__in=LEADERBOARD_LEVELS).order_by("path")
