"""Which actions a user may take on a case now: party × status × preconditions."""

from __future__ import annotations

from datetime import timedelta

from django.http import Http404
from django.utils import timezone

from ..choices import ESCALATION_LEVELS, REOPEN_WITHIN_DAYS, TRANSITIONS, Action
from ..errors import ActionNotAllowed
from ..models import Case
from ..parties import parties_of


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
    Action.RATE: lambda case, now: case.rating is None,
    Action.REOPEN: _reopen_possible,
    Action.ESCALATE: lambda case, now: _escalation_possible(case),
    Action.SUPERVISE: lambda case, now: not case.supervised,
    Action.CLAIM: lambda case, now: case.board_area_id is not None,
}


def state_allows(action, case, now=None) -> bool:
    """The case's status and param-free preconditions allow the action (whoever asks)."""
    spec = TRANSITIONS[action]
    if case.status not in spec.sources:
        return False
    check = PRECONDITIONS.get(action)
    return check is None or check(case, now or timezone.now())


def allowed_actions(user, case) -> list[str]:
    """Exactly the actions `perform` would accept from this user on this case now."""
    parties = parties_of(user, case)
    if not parties:
        return []
    now = timezone.now()
    return [
        str(action)
        for action, spec in TRANSITIONS.items()
        if spec.parties & parties and state_allows(action, case, now)
    ]


def require_party(user, case, action):
    """Http404 unless the user is one of the parties that may take the action."""
    if not TRANSITIONS[action].parties & parties_of(user, case):
        raise Http404


def require_state(user, case, action):
    """ActionNotAllowed (409) unless the case's state allows the action now."""
    if not state_allows(action, case):
        raise ActionNotAllowed(action, case.status, allowed_actions(user, case) if user is not None else [])


def lock(case, actor, action) -> Case:
    """The case row, locked for the transaction, checked again under the lock (another
    request may have moved it since the caller read it)."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    require_state(actor, locked, action)
    return locked


def sync(target: Case, source: Case):
    """Copy the stored columns of `source` onto the caller's instance."""
    if target is source:
        return target
    for field in Case._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target
