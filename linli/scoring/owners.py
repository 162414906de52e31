"""Who organizes a round: the owner app's rule when it registered one, else the scope rule.

register_owner("academy.showcase", can_organize=lambda user, round: ...)
    called from the owner's AppConfig.ready; the prefix is the part of `ScoringRound.owner` before ":".
"""

from __future__ import annotations

from collections.abc import Callable

from linli.core.scoping import can

_ORGANIZE_RULES: dict[str, Callable] = {}


def register_owner(prefix: str, *, can_organize: Callable) -> None:
    _ORGANIZE_RULES[prefix] = can_organize


def can_organize(user, scoring_round) -> bool:
    rule = _ORGANIZE_RULES.get(scoring_round.owner.split(":", 1)[0])
    if rule is not None:
        return bool(rule(user, scoring_round))
    return can(user, "scoring.organize", scoring_round.organization)
