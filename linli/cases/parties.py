"""Who a user is relative to a case (choices.Party), derived from their scopes.

    dispatcher  `cases.dispatch` scope contains the case's area (or its queue area)
    verifier    `cases.verify` scope contains the case's area (the grid)
    unit        the lead unit is one of the user's units (`cases.handle`, org subtree)
    reporter    the user filed the case
    claimant    the case is on a claim board and one of the user's units may claim it (in reach
                of the board, of a kind that handles the case's category)

Everything here works from the scopes cached on the user object and the
case's own columns, so checking a case costs no query once the user's scopes
and units are loaded (two queries per request).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from linli.core.scoping import Scope, remember, scope_for
from linli.orgs.choices import OrganizationKind, PairingKind
from linli.places.queries import ancestor_codes

from .choices import CLAIMABLE_STATUSES, Party

def in_area_scope(scope: Scope, code: str | None) -> bool:
    if scope.is_global:
        return True
    return bool(code) and any(code.startswith(prefix) for prefix in scope.area_codes)


@dataclass(frozen=True)
class Unit:
    """One organization the user handles cases for, with what a claim needs to know."""

    id: int
    path: str
    kind: str
    area_code: str
    paired_codes: tuple[str, ...] = ()
    name: str = ""

    def may_claim(self, board_code: str) -> bool:
        """A unit may claim from a board when it serves an area inside the board's area,
        when it is a department serving the board's area or an area above it, or when
        it is paired (包片联村) with an area containing or inside the board's area."""
        if self.area_code.startswith(board_code):
            return True
        if self.kind == OrganizationKind.DEPARTMENT and board_code.startswith(self.area_code):
            return True
        return any(code.startswith(board_code) or board_code.startswith(code) for code in self.paired_codes)


def units_of(user) -> list[Unit]:
    """The organizations in the user's `cases.handle` scope (empty for a global scope:
    a superuser handles every case but claims only for a unit named explicitly)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return remember(user, "cases.units", lambda: _units(scope_for(user, "cases.handle")))


def _units(scope) -> list[Unit]:
    units = []
    if scope.org_paths and not scope.is_global:
        from linli.orgs.models import Organization, Pairing

        rows = list(
            Organization.objects.filter(scope.q(area_path=None, org_path="path")).values_list(
                "id", "path", "kind", "area__code", "name"
            ).order_by("path")
        )
        paired: dict[int, list[str]] = {}
        for unit_id, code in Pairing.objects.filter(
            unit_id__in=[row[0] for row in rows], kind=PairingKind.AREA_LINK, area__isnull=False
        ).values_list("unit_id", "area__code"):
            paired.setdefault(unit_id, []).append(code)
        units = [Unit(pk, path, kind, code, tuple(paired.get(pk, ())), name) for pk, path, kind, code, name in rows]
    return units


def unit_ids_of(user) -> frozenset[int]:
    return frozenset(unit.id for unit in units_of(user))


def claim_units(user, case) -> list[Unit]:
    """The user's units that may claim this case from its board (not checking its status): in
    reach of the board, and of a kind that handles the case's category (routing.handling_kinds)."""
    if not case.board_area_id:
        return []
    from .routing import handling_kinds  # routing builds on this module

    board_code = case.board_area.code
    kinds = handling_kinds(case.category_id)
    return [unit for unit in units_of(user) if unit.kind in kinds and unit.may_claim(board_code)]


def is_dispatcher(user, case) -> bool:
    scope = scope_for(user, "cases.dispatch")
    if scope.is_empty:
        return False
    if in_area_scope(scope, case.area_code):
        return True
    # The queue area is an ancestor of the area in practice; checked for completeness.
    return bool(case.queue_area_id) and in_area_scope(scope, case.queue_area.code)


def parties_of(user, case) -> frozenset[str]:
    """The parties the user is for this case."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    parties = set()
    if case.reporter_id is not None and case.reporter_id == user.pk:
        parties.add(Party.REPORTER)
    if is_dispatcher(user, case):
        parties.add(Party.DISPATCHER)
    if case.area_code and in_area_scope(scope_for(user, "cases.verify"), case.area_code):
        parties.add(Party.VERIFIER)
    elif case.verifier_id is not None and case.verifier_id == user.pk:  # sent by their grid leader
        parties.add(Party.VERIFIER)
    handle = scope_for(user, "cases.handle")
    if not handle.is_empty:
        if case.unit_id and (handle.is_global or case.unit_id in unit_ids_of(user)):
            parties.add(Party.UNIT)
        if case.board_area_id and (handle.is_global or claim_units(user, case)):
            parties.add(Party.CLAIMANT)
    return frozenset(parties)


# -- the same rules as SQL, for lists ------------------------------------------------------


def board_q(user) -> Q:
    """Published cases on a board that one of the user's units may claim now."""
    from .routing import claimable_category_ids  # routing builds on this module

    by_kind: dict[str, list[Unit]] = {}
    for unit in units_of(user):
        by_kind.setdefault(unit.kind, []).append(unit)
    match = Q(pk__in=[])
    for kind, units in sorted(by_kind.items()):
        exact, prefixes = set(), set()
        for unit in units:
            exact.update(ancestor_codes(unit.area_code))
            if unit.kind == OrganizationKind.DEPARTMENT:
                prefixes.add(unit.area_code)
            for code in unit.paired_codes:
                exact.update(ancestor_codes(code))
                prefixes.add(code)
        reach = Q(board_area__code__in=sorted(exact))
        for code in sorted(prefixes):
            reach |= Q(board_area__code__startswith=code)
        match |= reach & Q(category_id__in=claimable_category_ids([kind]))
    return Q(status__in=CLAIMABLE_STATUSES, board_area__isnull=False) & match


def reporter_visible(user, case) -> bool:
    """Who reported a case: the reporter, dispatchers over it, and — if the reporter let their
    name be shown — the verifiers of its grid and its lead or assisting units. Never the public."""
    if case.reporter_id is not None and case.reporter_id == user.pk:
        return True
    if is_dispatcher(user, case):
        return True
    if not case.show_reporter_name:
        return False
    if in_area_scope(scope_for(user, "cases.verify"), case.area_code):
        return True
    if scope_for(user, "cases.handle").is_global:
        return True
    units = unit_ids_of(user)
    return case.unit_id in units or any(assist.unit_id in units for assist in case.assists.all())
