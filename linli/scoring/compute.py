"""The arithmetic of scoring, on plain numbers (no database): a mark's share of its criterion, a
sheet's total, the ways to combine judges' totals, ranking with a tie rule, and tiers.

    share(method, mark, max_points)   points/max, a grade's share (A 100 %, B 66 %, C 33 %, C# 0), a tick 1 or 0
    sheet_total(items)                Σ weight × share over (weight, share) pairs
    mean(values), trimmed_mean(values)          trimmed: without one highest and one lowest (3 sheets or more)
    normalised(sheets)                per-judge z-scores, averaged per subject, put back on the raw scale
    rank(rows, tie_rule)              [(row, rank)], best first
    tiers_by_rank(ranked, tiers), tier_by_score(score, tiers)
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .choices import GRADE_SHARE, Method, TieRule

PLACES = Decimal("0.0001")


def q(value) -> Decimal:
    return Decimal(value).quantize(PLACES, rounding=ROUND_HALF_UP)


def share(method: str, *, points=None, grade: str = "", checked=None, max_points=None) -> Decimal:
    if method == Method.POINTS:
        return Decimal(points or 0) / Decimal(max_points)
    if method == Method.GRADE:
        return GRADE_SHARE[grade]
    return Decimal(1) if checked else Decimal(0)


def sheet_total(items) -> Decimal:
    """items: (weight, share) pairs."""
    return q(sum((Decimal(weight) * portion for weight, portion in items), Decimal(0)))


def mean(values) -> Decimal:
    values = list(values)
    return q(sum(values, Decimal(0)) / len(values)) if values else Decimal(0)


def trimmed_mean(values) -> Decimal:
    values = sorted(values)
    return mean(values[1:-1] if len(values) >= 3 else values)


def _population_sd(values) -> float:
    m = sum(values) / len(values)
    return math.sqrt(sum((v - m) ** 2 for v in values) / len(values))


def normalised(sheets) -> dict:
    """sheets: (judge, subject, total). Each judge's totals become z-scores against that judge's own
    mean and spread (a judge with one sheet, or who gave everyone the same, contributes 0); a
    subject's z-scores are averaged and put back on the scale of all totals (grand mean + z × grand
    spread), so a harsh judge and a lenient one weigh the same."""
    sheets = [(judge, subject, float(total)) for judge, subject, total in sheets]
    if not sheets:
        return {}
    by_judge = defaultdict(list)
    for judge, _subject, total in sheets:
        by_judge[judge].append(total)
    stats = {}
    for judge, totals in by_judge.items():
        sd = _population_sd(totals)
        stats[judge] = (sum(totals) / len(totals), sd)
    zs = defaultdict(list)
    for judge, subject, total in sheets:
        judge_mean, sd = stats[judge]
        zs[subject].append((total - judge_mean) / sd if sd > 0 else 0.0)
    everything = [total for _judge, _subject, total in sheets]
    grand_mean, grand_sd = sum(everything) / len(everything), _population_sd(everything)
    return {subject: q(grand_mean + grand_sd * (sum(z) / len(z))) for subject, z in zs.items()}


@dataclass
class Standing:
    """One subject to rank: its final score, its per-criterion means (criterion order) for the tie
    rule, and its presentation order."""

    key: object
    final: Decimal
    by_criterion: list = field(default_factory=list)
    order: int = 0


def rank(standings: list[Standing], tie_rule: str) -> list[tuple[Standing, int]]:
    if tie_rule == TieRule.SHARED:
        ordered = sorted(standings, key=lambda s: (-s.final, s.order))
        ranked, previous, current = [], None, 0
        for position, standing in enumerate(ordered, start=1):
            if standing.final != previous:
                current, previous = position, standing.final
            ranked.append((standing, current))
        return ranked
    ordered = sorted(standings, key=lambda s: (-s.final, [-value for value in s.by_criterion], s.order))
    return [(standing, position) for position, standing in enumerate(ordered, start=1)]


def tiers_by_rank(ranked: list[tuple[Standing, int]], tiers) -> dict:
    """tiers: (name, count) in order. A subject takes the first tier whose running count reaches
    its rank (shared ranks at a boundary all take the better tier); past the last, no tier."""
    bounds, running = [], 0
    for name, count in tiers:
        running += count or 0
        bounds.append((running, name))
    result = {}
    for standing, place in ranked:
        result[standing.key] = next((name for bound, name in bounds if place <= bound), "")
    return result


def tier_by_score(score: Decimal, tiers) -> str:
    """tiers: (name, min_score); the highest threshold the score reaches."""
    for name, minimum in sorted(tiers, key=lambda t: -Decimal(t[1])):
        if score >= Decimal(minimum):
            return name
    return ""
