"""The “6个1” completion beside coverage on the organization network page (orgs.network, a page of a
lower floor, shows it through core.registry's panels)."""

from . import queries


def network_panel(request, page_context):
    """{"six_ones": [(round, done, total, steps_done, steps_total)]} for the person's rounds, or None."""
    rows = []
    for scoring_round in queries.rounds_for(request.user)[:3]:
        progress = queries.progress(scoring_round)
        if not progress:
            continue
        steps_total = 6 * len(progress)
        rows.append((scoring_round, sum(1 for p in progress if p.count == 6), len(progress),
                     sum(p.count for p in progress), steps_total))
    return {"six_ones": rows} if rows else None
