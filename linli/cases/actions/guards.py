"""The case workflow as declared to the engine (linli.core.workflow): which actions a user may
take on a case now, party × status × preconditions, and the parameters each action takes."""

from __future__ import annotations

from datetime import timedelta

from linli.core.workflow import Workflow

from ..choices import ESCALATION_LEVELS, REOPEN_WITHIN_DAYS, STAFF_CHANNELS, TRANSITIONS, Action
from ..errors import ActionNotAllowed, CaseError
from ..models import Case
from ..parties import parties_of
from .common import TIMELINE


def _reopen_possible(case, now):
    return (
        not case.reopened
        and case.closed_at is not None
        and now - case.closed_at <= timedelta(days=REOPEN_WITHIN_DAYS)
        # a dissatisfied reporter: rated 1–2, or did not rate at all
        and (case.rating is None or case.rating <= 2)
    )


def _escalation_possible(case):
    if case.queue_area_id is None:
        return False
    return case.queue_area.level != ESCALATION_LEVELS[-1]


# Preconditions that need no parameters; failing one is a 409 like a wrong status.
PRECONDITIONS = {
    # only a resident's own report is rated (a staff report has no resident on the platform)
    Action.RATE: lambda case, now: case.rating is None and case.channel not in STAFF_CHANNELS,
    Action.REOPEN: _reopen_possible,
    Action.ESCALATE: lambda case, now: _escalation_possible(case),
    Action.SUPERVISE: lambda case, now: not case.supervised,
    Action.CLAIM: lambda case, now: case.board_area_id is not None,
}
PARAMS = {
    Action.ACCEPT: ("note",),
    Action.REJECT: ("reason",),
    Action.DISPATCH: ("unit", "note"),
    Action.SIGN: ("note",),
    Action.RETURN: ("reason",),
    Action.RESOLVE: ("note", "photos"),
    Action.VERIFY: ("note", "photos"),
    Action.REWORK: ("reason",),
    Action.CLOSE: ("note",),
    Action.RATE: ("rating", "comment"),
    Action.REOPEN: ("reason",),
    Action.ESCALATE: ("reason",),
    Action.REMIND: ("note",),
    Action.SUPERVISE: ("note",),
    Action.PUBLISH: ("board_area",),
    Action.CLAIM: ("unit",),
    Action.ASSIST: ("unit",),
}

WORKFLOW = Workflow(
    model=Case, transitions=TRANSITIONS, params=PARAMS, parties_of=parties_of, timeline=TIMELINE,
    error=CaseError, not_allowed=ActionNotAllowed, preconditions=PRECONDITIONS,
)
state_allows = WORKFLOW.state_allows
allowed_actions = WORKFLOW.allowed_actions
require_party = WORKFLOW.require_party
require_state = WORKFLOW.require_state
lock = WORKFLOW.lock
sync = WORKFLOW.sync
