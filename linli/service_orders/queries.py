"""Reads: who is a party to an order, scoped order lists, the menu of an area. No writes.

A service order is seen by the resident who ordered it, the volunteers sent on it, the dispatchers over its area
(community staff, command centers: the `service_orders.dispatch` capability; and the admins of a
新时代文明实践 center over their center's area, the order model's own dispatchers), the leaders of the
team it is dispatched to, and — while it is published — the leaders of the teams that offer
its kind of service in its area (the grab board). Anyone else gets a 404.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from linli.accounts.queries import resident_community  # noqa: F401 — the order form's default community

from linli.core.scoping import remember, scope_for
from linli.orgs.models import Organization
from linli.orgs.choices import OrganizationKind
from linli.orgs.queries import organizations_in
from linli.places.queries import ancestor_codes

from .choices import PHONE_VISIBLE_STATUSES, OrderAction as Action, OrderStatus, Party
from .models import AssignedVolunteer, ServiceOffering, ServiceOrder, ServiceOrderEvent

TEAM_KIND = OrganizationKind.VOLUNTEER_TEAM


def led_team_ids(user) -> frozenset[int]:
    """The volunteer teams the user runs (team leader or organization admin over them)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    return remember(user, "service_orders.teams",
        lambda: frozenset(organizations_in(scope_for(user, "volunteering.manage")).filter(kind=TEAM_KIND).values_list("pk", flat=True)),
    )


def served_kinds(user) -> tuple[tuple[str, str], ...]:
    """(kind, area code) of every active offering of the user's teams: a team may grab an order
    only for a service it offers, in an area it offers it in."""
    teams = led_team_ids(user)
    if not teams:
        return ()

    def compute():
        pairs = ServiceOffering.objects.filter(team__in=teams, active=True, areas__isnull=False).values_list(
            "kind", "areas__code")
        return tuple(sorted(set(pairs)))

    return remember(user, "service_orders.served", compute)


def serving_teams(area_code: str):
    """Volunteer teams serving an area: an active offering in it or above it, or based above it."""
    prefixes = ancestor_codes(area_code)
    offering_teams = ServiceOffering.objects.filter(active=True, areas__code__in=prefixes).values("team")
    return Organization.objects.filter(kind=TEAM_KIND).filter(
        Q(pk__in=offering_teams) | Q(area__code__in=prefixes)
    )


def offering_teams(kind: str, area_code: str):
    """Volunteer teams that offer this kind of service in this area (in it or above it)."""
    offerings = ServiceOffering.objects.filter(active=True, kind=kind, areas__code__in=ancestor_codes(area_code))
    return Organization.objects.filter(kind=TEAM_KIND, pk__in=offerings.values("team"))


def dispatch_choices(order) -> tuple[list, list]:
    """The teams a dispatcher is offered for an order: those that provide its kind of service
    in its area (the offering's own team first), and the other teams serving the area, which
    only a deliberate choice reaches."""
    serving = list(serving_teams(order.area_code).order_by("name"))
    providing = set(offering_teams(order.kind, order.area_code).values_list("pk", flat=True))
    matching = [team for team in serving if team.pk in providing]
    if order.offering_id is not None:
        matching.sort(key=lambda team: team.pk != order.offering.team_id)
    return matching, [team for team in serving if team.pk not in providing]


def _covers(codes, area_code) -> bool:
    return any(area_code.startswith(code) for code in codes)


def _serves(pairs, kind, area_code) -> bool:
    return any(served == kind and area_code.startswith(code) for served, code in pairs)


CENTER_KIND = OrganizationKind.CIV_CENTER


def center_codes(user) -> tuple[str, ...]:
    """Area codes of the civilization-practice centers (文明实践所/站) the user runs."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ()
    return remember(user, "service_orders.centers", lambda: tuple(sorted(
        code for code in organizations_in(scope_for(user, "volunteering.manage")).filter(kind=CENTER_KIND).values_list("area__code", flat=True)
        if code
    )))


def can_dispatch(user) -> bool:
    return not scope_for(user, "service_orders.dispatch").is_empty or bool(center_codes(user))


def dispatch_covers(user, area_code: str) -> bool:
    scope = scope_for(user, "service_orders.dispatch")
    return scope.is_global or _covers(scope.area_codes, area_code) or _covers(center_codes(user), area_code)


def parties_of(user, order: ServiceOrder) -> frozenset:
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    parties = set()
    if order.resident_id == user.pk:
        parties.add(Party.RESIDENT)
    if dispatch_covers(user, order.area_code):
        parties.add(Party.DISPATCHER)
    teams = led_team_ids(user)
    if order.team_id is not None and order.team_id in teams:
        parties.add(Party.TEAM)
    if any(assignment.user_id == user.pk for assignment in order.assignments.all()):
        parties.add(Party.VOLUNTEER)
    if teams and order.published_at is not None and order.status == OrderStatus.ORDERED:
        if _serves(served_kinds(user), order.kind, order.area_code):
            parties.add(Party.GRABBER)
    return frozenset(parties)


def grab_teams(user, order) -> list[int]:
    """The user's teams that offer the order's kind of service in its area (candidates to grab it)."""
    teams = led_team_ids(user)
    if not teams:
        return []
    return list(offering_teams(order.kind, order.area_code).filter(pk__in=teams).order_by("pk")
                .values_list("pk", flat=True))


def grabbed_by_another(user, pk):
    """An order on this user's grab board that another team grabbed since: once taken it
    leaves the board (orders_for), but its grabbers lost a race, they did not ask for a stranger's order."""
    if not led_team_ids(user) or not served_kinds(user):
        return None
    order = ServiceOrder.objects.filter(pk=pk, events__action=Action.GRAB).exclude(
        team__in=led_team_ids(user)).first()
    return order if order is not None and _serves(served_kinds(user), order.kind, order.area_code) else None


def published_for_another_service(user, pk) -> bool:
    """A published order in an area one of the user's teams serves, for a service none of
    them offers there: the grab is refused with a reason (403), not with a 404."""
    teams = led_team_ids(user)
    order = ServiceOrder.objects.filter(pk=pk, status=OrderStatus.ORDERED, published_at__isnull=False).first()
    if not teams or order is None or _serves(served_kinds(user), order.kind, order.area_code):
        return False
    return serving_teams(order.area_code).filter(pk__in=teams).exists()


# -- lists ------------------------------------------------------------------------------------------


def _board_q(user):
    pairs = served_kinds(user)
    if not pairs:
        return Q(pk__in=[])
    near = Q(pk__in=[])
    for kind, code in pairs:
        near |= Q(kind=kind, area_code__startswith=code)
    return Q(status=OrderStatus.ORDERED, published_at__isnull=False) & near


def _dispatch_q(user):
    scope = scope_for(user, "service_orders.dispatch")
    if scope.is_global:
        return Q()
    condition = scope.q(area_path=None, area_code="area_code")
    for code in center_codes(user):
        condition |= Q(area_code__startswith=code)
    return condition


def orders_for(user):
    """Every order the user may open."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ServiceOrder.objects.none()
    condition = (Q(resident=user) | _dispatch_q(user) | Q(team__in=led_team_ids(user)) | _board_q(user)
                 | Q(pk__in=AssignedVolunteer.objects.filter(user=user).values("order")))
    return ServiceOrder.objects.filter(condition)


def may_see_resident_phone(user, order) -> bool:
    """The resident's full number: for the dispatchers over the order, and — once the team has
    accepted it — for the team's leaders and the volunteers sent (to call on arrival)."""
    parties = parties_of(user, order)
    if Party.DISPATCHER in parties:
        return True
    return bool(parties & {Party.TEAM, Party.VOLUNTEER}) and order.status in PHONE_VISIBLE_STATUSES


def with_list_data(queryset):
    """What a list row shows, in a fixed number of queries whatever the rows or timelines."""
    return (
        queryset.select_related("area", "team", "offering", "resident")
        .annotate(event_count=Count("events", distinct=True))
        .order_by("-id")
    )


def my_orders(user):
    return with_list_data(ServiceOrder.objects.filter(resident=user))


def dispatch_queue(user):
    """Orders in the dispatcher's area; open ones first is the page's job (filters by status)."""
    if not can_dispatch(user):
        return ServiceOrder.objects.none()
    return with_list_data(ServiceOrder.objects.filter(_dispatch_q(user)))


def awaiting_dispatch(user):
    """待派: orders in the dispatcher's area no team has yet (dispatched or accepted ones have
    one; a published order still waits, for a grab or a dispatch)."""
    return dispatch_queue(user).filter(status=OrderStatus.ORDERED)


def team_orders(user):
    return with_list_data(ServiceOrder.objects.filter(team__in=led_team_ids(user)))


def grab_board(user):
    return with_list_data(ServiceOrder.objects.filter(_board_q(user)))


LISTS = {"mine": my_orders, "dispatch": dispatch_queue, "team": team_orders, "board": grab_board}


def order_detail(queryset):
    """An order with its timeline (actors, photos) and its volunteers, prefetched."""
    return queryset.select_related("area", "team", "offering__team", "resident").annotate(
        event_count=Count("events", distinct=True)
    ).prefetch_related(
        Prefetch("events", queryset=ServiceOrderEvent.objects.select_related("actor").prefetch_related("photos")),
        Prefetch("assignments", queryset=AssignedVolunteer.objects.select_related("user").order_by("id")),
    )


# -- the menu -----------------------------------------------------------------------------------------


def menu_for(area_code: str):
    """Active offerings serving an area (in it or above it), with their team."""
    return (
        ServiceOffering.objects.filter(active=True, areas__code__in=ancestor_codes(area_code))
        .select_related("team")
        .distinct()
        .order_by("kind", "name", "id")
    )


def menu_in_dispatch_area(user):
    """The menu a dispatcher oversees: every offering (on the menu or off it) that serves an
    area of theirs, below it or above it (a street-wide offering serves each community)."""
    scope = scope_for(user, "service_orders.dispatch")
    offerings = ServiceOffering.objects.all()
    if not scope.is_global:
        codes = (*scope.area_codes, *center_codes(user))
        if not codes:
            return ServiceOffering.objects.none()
        near = Q(pk__in=[])
        for code in codes:
            near |= Q(areas__code__startswith=code) | Q(areas__code__in=ancestor_codes(code))
        offerings = offerings.filter(pk__in=ServiceOffering.objects.filter(near).values("pk"))
    return offerings.select_related("team").prefetch_related("areas").order_by("kind", "team__name", "name", "id")


def offerings_managed_by(user):
    return (
        ServiceOffering.objects.filter(team__in=led_team_ids(user))
        .select_related("team")
        .prefetch_related("areas")
        .order_by("-id")
    )




def describe_orders(user, ids):
    """The points statement's line for entries of these orders (points.register_entry_source); a
    volunteer who served an order may not be a party to it: only the orders they may open link."""
    from django.urls import reverse
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    from linli.points.queries import Source

    orders = list(ServiceOrder.objects.filter(pk__in=ids).select_related("offering"))
    openable = set(orders_for(user).filter(pk__in=[o.pk for o in orders]).values_list("pk", flat=True))
    found = {}
    for order in orders:
        name = order.offering.name if order.offering_id else order.get_kind_display()
        found[order.pk] = Source(
            _("Service order: %(name)s, %(day)s") % {"name": name, "day": date_format(
                timezone.localtime(order.starts_at), "m-d")},
            reverse("service_orders:detail", args=[order.pk]) if order.pk in openable else "")
    return found
