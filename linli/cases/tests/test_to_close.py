"""待结案: a verified case waits for the command center's call back and 结案. It is counted on the
dispatchers' home, listed from their menu, and past settings.CASES_CLOSE_WITHIN_WORKING_HOURS
they are reminded (marked overdue, never escalated)."""

from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.cases import sla
from linli.cases.actions import perform
from linli.cases.choices import Action, CaseStatus, SlaState
from linli.core import calendar, outbox
from linli.core.models import Notification

MONDAY = date(2026, 11, 23)


def at(day, clock):
    hour, minute = map(int, clock.split(":"))
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


@pytest.fixture
def verified_monday(case_at, clock):
    clock.now = at(MONDAY, "09:00")
    return case_at(CaseStatus.VERIFIED)


def test_verification_starts_the_close_clock_and_the_sweep_reminds(verified_monday, clock, settings, personas):
    case = verified_monday
    assert case.close_due == calendar.add_working_hours(at(MONDAY, "09:00"), settings.CASES_CLOSE_WITHIN_WORKING_HOURS)
    assert case.sla_state == SlaState.ON_TRACK
    clock.now = case.close_due + timezone.timedelta(minutes=1)
    assert sla.sweep().overdue == 1
    result = sla.sweep()
    assert (result.overdue, result.escalated) == (0, 0)  # once, and never escalated
    case.refresh_from_db()
    assert case.sla_state == SlaState.OVERDUE and case.queue_area_id is not None
    assert case.events.filter(action=Action.SLA_OVERDUE).count() == 1
    outbox.relay_pending()
    told = Notification.objects.filter(topic="case.sla_overdue", user=personas.street_dispatcher).get()
    assert "待结案" in told.title or "尚未结案" in told.title

    perform(personas.street_dispatcher, case, "close")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_the_dispatchers_home_counts_cases_to_close_and_links_the_list(client, verified_monday, case_at, personas):
    case_at(CaseStatus.RESOLVED)  # not yet verified: not counted
    client.force_login(personas.street_dispatcher)
    home = client.get(reverse("home")).content.decode()
    tile = home[home.index('data-testid="tile-cases.to_close"'):]
    tile = tile[:tile.index("</a>")]
    to_close = reverse("cases:queue") + "?status=verified"
    assert f'href="{to_close}"' in tile and 'data-testid="tile-badge">1<' in tile
    listed = client.get(to_close).content.decode()
    assert verified_monday.number in listed
