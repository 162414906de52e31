"""The SLA sweep: due soon, overdue, reminders, escalation by policy; once per change."""

import threading
from datetime import date, datetime

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from linli.cases import sla
from linli.cases.actions import perform
from linli.cases.choices import Action, CaseStatus, SlaState
from linli.cases.models import Case, CaseEvent
from linli.cases.tasks import sweep_sla
from linli.core import outbox
from linli.core.models import Notification, OutboxMessage

MONDAY, WEDNESDAY = date(2026, 11, 23), date(2026, 11, 25)


def at(day, clock):
    hour, minute = map(int, clock.split(":"))
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def events(case, action):
    return CaseEvent.objects.filter(case=case, action=action).count()


@pytest.fixture
def monday_case(report, clock):
    """A manhole reported Monday 09:00: accept within 4 working hours, i.e. by 15:00."""
    clock.now = at(MONDAY, "09:00")
    case = report(category="manhole")
    assert case.accept_due == at(MONDAY, "15:00")
    return case


def test_on_track_due_soon_overdue_escalated(tree, monday_case, clock):
    case = monday_case
    clock.now = at(MONDAY, "10:30")  # 2 working hours later is 14:30: not yet
    assert sla.sweep().as_dict() == {"due_soon": 0, "overdue": 0, "escalated": 0}

    clock.now = at(MONDAY, "11:30")  # 2 working hours later is 15:30
    assert sla.sweep().due_soon == 1
    assert sla.sweep().due_soon == 0  # once
    case.refresh_from_db()
    assert case.sla_state == SlaState.DUE_SOON and events(case, Action.SLA_DUE_SOON) == 1

    clock.now = at(MONDAY, "15:01")
    assert sla.sweep().overdue == 1
    assert sla.sweep().overdue == 0
    case.refresh_from_db()
    assert case.sla_state == SlaState.OVERDUE and events(case, Action.SLA_OVERDUE) == 1
    event = CaseEvent.objects.get(case=case, action=Action.SLA_OVERDUE)
    assert (event.actor, event.from_status, event.to_status) == (None, "reported", "reported")
    assert OutboxMessage.objects.filter(topic="case.sla_overdue", payload__case_id=case.pk).count() == 1

    clock.now = at(WEDNESDAY, "14:59")  # overdue by less than 2 working days
    assert sla.sweep().escalated == 0
    clock.now = at(WEDNESDAY, "15:01")
    assert sla.sweep().escalated == 1
    assert sla.sweep().escalated == 0
    case.refresh_from_db()
    assert (case.queue_area, case.escalation_level, case.sla_escalated) == (tree.city, 1, True)
    escalation = CaseEvent.objects.get(case=case, action=Action.ESCALATE)
    assert escalation.actor is None and "2" in escalation.note


def test_overdue_without_passing_due_soon(monday_case, clock):
    clock.now = at(MONDAY, "17:00")
    result = sla.sweep()
    assert (result.due_soon, result.overdue) == (0, 1)


def test_the_resolve_limit_runs_from_dispatch(case_at, personas, clock):
    clock.now = at(MONDAY, "09:00")
    case = case_at(CaseStatus.DISPATCHED, category="manhole")  # 2 working days: Wednesday 09:00
    assert case.resolve_due == at(WEDNESDAY, "09:00")
    clock.now = at(WEDNESDAY, "09:01")
    assert sla.sweep().overdue == 1
    event = CaseEvent.objects.get(case=case, action=Action.SLA_OVERDUE)
    assert event.from_status == "dispatched"
    # the unit is reminded
    outbox.relay_pending()
    assert Notification.objects.filter(user=personas.department_handler, topic="case.sla_overdue").count() == 1
    assert Notification.objects.filter(user=personas.street_dispatcher, topic="case.sla_overdue").count() == 0


def test_a_reported_case_reminds_the_command_center(monday_case, personas, clock):
    clock.now = at(MONDAY, "16:00")
    sla.sweep()
    outbox.relay_pending()
    assert Notification.objects.filter(user=personas.street_dispatcher, topic="case.sla_overdue").count() == 1


@pytest.mark.parametrize("status", [CaseStatus.ACCEPTED, CaseStatus.RESOLVED, CaseStatus.CLOSED, CaseStatus.REJECTED])
def test_no_running_limit_no_mark(status, case_at, clock):
    clock.now = at(MONDAY, "09:00")
    case = case_at(status, category="manhole")
    clock.now = at(date(2026, 12, 31), "09:00")
    assert sla.sweep().as_dict() == {"due_soon": 0, "overdue": 0, "escalated": 0}
    case.refresh_from_db()
    assert case.sla_state in (SlaState.ON_TRACK,)


def test_a_new_limit_starts_on_track(case_at, personas, clock):
    clock.now = at(MONDAY, "09:00")
    case = case_at(CaseStatus.REPORTED, category="manhole")
    clock.now = at(MONDAY, "16:00")
    sla.sweep()
    case.refresh_from_db()
    assert case.sla_state == SlaState.OVERDUE
    case = perform(personas.street_dispatcher, case, "accept")
    case = perform(personas.street_dispatcher, case, "dispatch", unit=personas.department)
    assert case.sla_state == SlaState.ON_TRACK
    assert sla.sweep().overdue == 0


def test_no_escalation_above_the_top(monday_case, personas, tree, clock):
    perform(personas.street_dispatcher, monday_case, "escalate", reason="市级协调")
    clock.now = at(date(2026, 12, 7), "09:00")
    result = sla.sweep()
    assert (result.overdue, result.escalated) == (1, 0)
    case = Case.objects.get(pk=monday_case.pk)
    assert (case.queue_area, case.escalation_level, case.sla_escalated) == (tree.city, 1, True)
    assert sla.sweep().escalated == 0


def test_escalation_policy_is_a_setting(monday_case, settings, clock):
    settings.CASES_AUTO_ESCALATE_DAYS = 0
    clock.now = at(MONDAY, "15:01")
    result = sla.sweep()
    assert (result.overdue, result.escalated) == (1, 1)


def test_command_and_task(monday_case, clock, capsys):
    clock.now = at(MONDAY, "16:00")
    call_command("sweep_sla")
    assert "overdue: 1" in capsys.readouterr().out
    clock.now = at(WEDNESDAY, "16:00")
    assert sweep_sla.apply().get() == {"due_soon": 0, "overdue": 0, "escalated": 1}


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_act_once(report, clock):
    clock.now = at(MONDAY, "09:00")
    cases = [report(category="manhole") for _ in range(8)]
    totals = []
    errors = []

    def run():
        try:
            totals.append(sla.sweep().as_dict())
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(repr(error))
        finally:
            connections.close_all()

    def race():
        if connection.vendor == "sqlite":
            run(), run()  # one writer at a time: the second run must find nothing left to do
            return
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    clock.now = at(MONDAY, "16:00")
    race()
    clock.now = at(WEDNESDAY, "16:00")
    race()
    assert errors == []
    assert sum(t["overdue"] for t in totals) == len(cases)
    assert sum(t["escalated"] for t in totals) == len(cases)
    for case in cases:
        assert events(case, Action.SLA_OVERDUE) == 1
        assert events(case, Action.ESCALATE) == 1
        assert Case.objects.get(pk=case.pk).escalation_level == 1
    assert OutboxMessage.objects.filter(topic="case.sla_overdue").count() == len(cases)
