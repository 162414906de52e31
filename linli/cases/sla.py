"""The SLA sweep: due-soon and overdue marks, reminders, escalation by policy.

Which limit runs when (choices.ACCEPT_CLOCK_STATUSES / RESOLVE_CLOCK_STATUSES):
`accept_due` while the case is `reported`; `resolve_due` while it is `dispatched`,
`in_progress` or `returned` (the unit's clock keeps running until a new dispatch sets a
new one); `close_due` while it is `verified` (待结案: the command center's call back and
结案; reminded, never escalated). A case is *due soon* within DUE_SOON_WORKING_HOURS working hours of its limit
and *overdue* past it. Overdue by more than settings.CASES_AUTO_ESCALATE_DAYS working
days (default 2), it is escalated once per limit (community → street → city).

Every mark is a compare-and-set (`UPDATE … WHERE sla_state = <old>`), so two sweeps
running at once (two beat schedulers, a manual run during the beat) record each change,
its timeline event and its reminder exactly once. A new limit (accept, dispatch, claim,
reopen) puts the case back on track.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import calendar

from . import routing
from .actions.common import record
from .actions.workflow import do_escalate
from .choices import (
    ACCEPT_CLOCK_STATUSES,
    CLOSE_CLOCK_STATUSES,
    DUE_SOON_WORKING_HOURS,
    RESOLVE_CLOCK_STATUSES,
    Action,
    SlaState,
)
from .errors import ActionNotAllowed
from .models import Case

logger = logging.getLogger(__name__)

PHASES = ((ACCEPT_CLOCK_STATUSES, "accept_due"), (RESOLVE_CLOCK_STATUSES, "resolve_due"))
# Closing is marked due soon and overdue (the command center is reminded) but never escalated.
MARKED_PHASES = (*PHASES, (CLOSE_CLOCK_STATUSES, "close_due"))
BATCH = 1000  # per kind of change and run; the next run (a minute later) takes the rest


@dataclass
class SweepResult:
    due_soon: int = 0
    overdue: int = 0
    escalated: int = 0

    def as_dict(self):
        return asdict(self)


def auto_escalate_days() -> int:
    return int(getattr(settings, "CASES_AUTO_ESCALATE_DAYS", 2))


def _mark(pk, status, old, new, due, action):
    """Compare-and-set one case's SLA state; the event and reminder only when it changed."""
    with transaction.atomic():
        changed = Case.objects.filter(pk=pk, status=status, sla_state=old).update(
            sla_state=new, updated_at=timezone.now()
        )
        if changed:
            case = Case.objects.get(pk=pk)
            record(case, None, action, status, data={"due": due.isoformat()})
    return bool(changed)


def _escalate(pk, status, due, days):
    with transaction.atomic():
        changed = Case.objects.filter(
            pk=pk, status=status, sla_state=SlaState.OVERDUE, sla_escalated=False
        ).update(sla_escalated=True)
        if not changed:
            return False
        case = Case.objects.select_related("queue_area").get(pk=pk)
        if routing.escalation_target(case.queue_area) is None:
            return False  # already at the top: marked, nothing more to climb
        reason = _("Overdue by more than %(days)d working days (due %(due)s).") % {
            "days": days, "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
        }
        try:
            do_escalate(None, case, reason)
        except ActionNotAllowed:
            return False
    return True


def sweep(now=None) -> SweepResult:
    """One pass over the running limits. Safe to run concurrently."""
    now = now or timezone.now()
    soon = calendar.add_working_hours(now, DUE_SOON_WORKING_HOURS)
    result = SweepResult()
    for statuses, due_field in MARKED_PHASES:
        late = Case.objects.filter(
            status__in=statuses, sla_state__in=[SlaState.ON_TRACK, SlaState.DUE_SOON], **{f"{due_field}__lt": now}
        ).values_list("pk", "status", "sla_state", due_field)
        for pk, status, old, due in late.order_by("pk")[:BATCH]:
            result.overdue += _mark(pk, status, old, SlaState.OVERDUE, due, Action.SLA_OVERDUE)
        close = Case.objects.filter(
            status__in=statuses, sla_state=SlaState.ON_TRACK, **{f"{due_field}__gte": now, f"{due_field}__lte": soon}
        ).values_list("pk", "status", "sla_state", due_field)
        for pk, status, old, due in close.order_by("pk")[:BATCH]:
            result.due_soon += _mark(pk, status, old, SlaState.DUE_SOON, due, Action.SLA_DUE_SOON)

    days = auto_escalate_days()
    if days >= 0:
        for statuses, due_field in PHASES:
            # N working days are at least N calendar days: a cheap bound in SQL first.
            candidates = Case.objects.filter(
                status__in=statuses, sla_state=SlaState.OVERDUE, sla_escalated=False,
                **{f"{due_field}__lt": now - timedelta(days=days)},
            ).values_list("pk", "status", due_field)
            for pk, status, due in candidates.order_by("pk")[:BATCH]:
                if calendar.add_working_days(due, days) <= now:
                    result.escalated += _escalate(pk, status, due, days)
    if result.due_soon or result.overdue or result.escalated:
        logger.info("SLA sweep: %(due_soon)d due soon, %(overdue)d overdue, %(escalated)d escalated", result.as_dict())
    return result
