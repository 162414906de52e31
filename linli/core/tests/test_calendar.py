"""Working time: weekends, public holidays, swapped working days (调休), lunch breaks."""

from datetime import date, datetime, timedelta, timezone as dt_timezone
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from linli.core import calendar
from linli.core.calendar import (
    add_working_days,
    add_working_hours,
    is_working_time,
    is_workday,
    next_working_moment,
    working_hours_between,
)
from linli.core.models import CalendarDay

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=0, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar.invalidate_calendar()
    yield
    calendar.invalidate_calendar()


# -- which days work -------------------------------------------------------------------------


def test_weekdays_work_and_weekends_rest():
    assert is_workday(date(2026, 3, 4))  # Wednesday
    assert not is_workday(date(2026, 3, 7))  # Saturday
    assert not is_workday(date(2026, 3, 8))  # Sunday


def test_public_holidays_and_swapped_working_days_of_2025_and_2026():
    assert not is_workday(date(2025, 1, 1))  # 元旦, a Wednesday
    assert not is_workday(date(2025, 2, 3))  # 春节, a Monday
    assert is_workday(date(2025, 1, 26))  # Sunday worked for 春节
    assert is_workday(date(2025, 2, 8))  # Saturday worked for 春节
    assert is_workday(date(2025, 9, 28)) and is_workday(date(2025, 10, 11))
    assert not is_workday(date(2025, 10, 8))  # 国庆+中秋 ends on a Wednesday
    assert not is_workday(date(2026, 1, 2))  # 元旦, a Friday
    assert is_workday(date(2026, 1, 4))  # Sunday worked
    assert not is_workday(date(2026, 2, 23))  # 春节, a Monday
    assert is_workday(date(2026, 2, 14)) and is_workday(date(2026, 2, 28))
    assert not is_workday(date(2026, 5, 5)) and is_workday(date(2026, 5, 9))
    assert not is_workday(date(2026, 6, 19))  # 端午, a Friday
    assert not is_workday(date(2026, 9, 25))  # 中秋, a Friday
    assert not is_workday(date(2026, 10, 7)) and is_workday(date(2026, 10, 8))
    assert is_workday(date(2026, 9, 20)) and is_workday(date(2026, 10, 10))


def test_shipped_calendar_matches_the_announcements():
    rows = {day.date: day for day in CalendarDay.objects.all()}
    swapped = [d for d, row in rows.items() if row.is_workday]
    assert swapped and all(d.weekday() >= 5 for d in swapped)  # only weekends are swapped to work
    spring_2025 = [d for d, row in rows.items() if row.note == "春节" and d.year == 2025]
    spring_2026 = [d for d, row in rows.items() if row.note == "春节" and d.year == 2026]
    assert (min(spring_2025), max(spring_2025), len(spring_2025)) == (date(2025, 1, 28), date(2025, 2, 4), 8)
    assert (min(spring_2026), max(spring_2026), len(spring_2026)) == (date(2026, 2, 15), date(2026, 2, 23), 9)
    # 2026: 元旦 3 + 春节 9 + 清明 3 + 劳动节 5 + 端午 3 + 中秋 3 + 国庆 7 days off.
    assert sum(1 for d, row in rows.items() if d.year == 2026 and not row.is_workday) == 33


def test_a_datetime_counts_by_its_local_date():
    # 2026-10-09 17:00 UTC is already Saturday 10-10 01:00 in Shanghai: a swapped working day.
    assert is_workday(datetime(2026, 10, 9, 17, 0, tzinfo=dt_timezone.utc))


# -- adding working hours ------------------------------------------------------------------


def test_hours_inside_one_morning():
    assert add_working_hours(at(2026, 3, 4, 9), 2) == at(2026, 3, 4, 11)


def test_a_limit_ending_at_noon_is_noon_not_the_afternoon_start():
    assert add_working_hours(at(2026, 3, 4, 10), 2) == at(2026, 3, 4, 12)


def test_the_lunch_break_does_not_count():
    assert add_working_hours(at(2026, 3, 4, 11), 2) == at(2026, 3, 4, 15)
    assert add_working_hours(at(2026, 3, 4, 11, 30), 0.5) == at(2026, 3, 4, 12)
    assert add_working_hours(at(2026, 3, 4, 11, 30), 0.75) == at(2026, 3, 4, 14, 15)


def test_across_a_weekend():
    # Friday 16:30: one hour left that day, the second hour on Monday morning.
    assert add_working_hours(at(2026, 3, 6, 16, 30), 2) == at(2026, 3, 9, 9, 30)


@pytest.mark.parametrize(
    "start, expected",
    [
        (at(2026, 3, 7, 10), at(2026, 3, 9, 9, 30)),  # Saturday
        (at(2026, 3, 4, 20), at(2026, 3, 5, 9, 30)),  # evening
        (at(2026, 3, 4, 6), at(2026, 3, 4, 9, 30)),  # before work
        (at(2026, 3, 4, 12, 30), at(2026, 3, 4, 15)),  # lunch
        (at(2026, 3, 4, 17, 30), at(2026, 3, 5, 9, 30)),  # the minute work ends
    ],
)
def test_starting_outside_working_hours(start, expected):
    assert add_working_hours(start, 1) == expected


def test_across_national_day_holidays():
    # 2026-09-30 (Wed) 17:00: half an hour left, then 10-01..10-07 off, Thursday 10-08 works.
    assert add_working_hours(at(2026, 9, 30, 17), 1) == at(2026, 10, 8, 9)


def test_a_swapped_working_saturday_counts():
    # Friday 2026-10-09 17:00 + 1 h: Saturday 10-10 is a working day (调休).
    assert add_working_hours(at(2026, 10, 9, 17), 1) == at(2026, 10, 10, 9)


def test_a_sunday_worked_for_spring_festival_counts():
    # Friday 2025-01-24 17:00 + 1 h → Sunday 2025-01-26 09:00.
    assert add_working_hours(at(2025, 1, 24, 17), 1) == at(2025, 1, 26, 9)


def test_hours_spanning_several_days():
    start = at(2026, 3, 2, 8, 30)  # Monday, 7 working hours a day
    assert add_working_hours(start, 21) == at(2026, 3, 4, 17, 30)
    assert add_working_hours(start, 22) == at(2026, 3, 5, 9, 30)
    assert add_working_hours(start, 35) == at(2026, 3, 6, 17, 30)
    assert add_working_hours(start, 36) == at(2026, 3, 9, 9, 30)


def test_hours_over_spring_festival_2026():
    # Thursday 2026-02-12 08:30 + 3 days of work: Thu, Fri, Sat 02-14 (调休), then 02-24.
    assert add_working_hours(at(2026, 2, 12, 8, 30), 21) == at(2026, 2, 14, 17, 30)
    assert add_working_hours(at(2026, 2, 12, 8, 30), 22) == at(2026, 2, 24, 9, 30)


def test_zero_hours_is_the_start_and_negative_hours_are_refused():
    assert add_working_hours(at(2026, 3, 7, 10), 0) == at(2026, 3, 7, 10)
    with pytest.raises(ValueError):
        add_working_hours(at(2026, 3, 4, 9), -1)


def test_aware_in_aware_out_in_local_time_and_naive_is_refused():
    result = add_working_hours(datetime(2026, 3, 4, 1, 0, tzinfo=dt_timezone.utc), 1)  # 09:00 Shanghai
    assert result == at(2026, 3, 4, 10)
    assert result.tzinfo is not None and result.utcoffset() == timedelta(hours=8)
    with pytest.raises(ValueError):
        add_working_hours(datetime(2026, 3, 4, 9), 1)


def test_working_hours_come_from_settings(settings):
    settings.WORKING_HOURS = (("09:00", "18:00"),)
    assert add_working_hours(at(2026, 3, 4, 11), 2) == at(2026, 3, 4, 13)


# -- adding working days -------------------------------------------------------------------


def test_working_days_keep_the_clock_time():
    assert add_working_days(at(2026, 3, 4, 10, 15), 1) == at(2026, 3, 5, 10, 15)
    assert add_working_days(at(2026, 3, 4, 10, 15), 3) == at(2026, 3, 9, 10, 15)  # over the weekend
    assert add_working_days(at(2026, 9, 30, 10), 1) == at(2026, 10, 8, 10)  # over 国庆
    assert add_working_days(at(2026, 10, 9, 10), 1) == at(2026, 10, 10, 10)  # onto a swapped Saturday


def test_working_days_from_outside_working_hours_start_at_the_next_working_moment():
    assert add_working_days(at(2026, 3, 7, 10), 1) == at(2026, 3, 10, 8, 30)  # Saturday → Tuesday
    assert add_working_days(at(2026, 3, 4, 12, 30), 1) == at(2026, 3, 5, 14)  # lunch → afternoon
    assert add_working_days(at(2026, 3, 4, 19), 0) == at(2026, 3, 5, 8, 30)
    with pytest.raises(ValueError):
        add_working_days(at(2026, 3, 4, 9), -1)


# -- measuring -------------------------------------------------------------------------------


def test_working_hours_between():
    assert working_hours_between(at(2026, 3, 6, 16, 30), at(2026, 3, 9, 9, 30)) == 2.0
    assert working_hours_between(at(2026, 3, 9, 9, 30), at(2026, 3, 6, 16, 30)) == -2.0
    assert working_hours_between(at(2026, 3, 2), at(2026, 3, 9)) == 35.0  # a week
    assert working_hours_between(at(2026, 3, 4, 11), at(2026, 3, 4, 15)) == 2.0  # minus lunch
    assert working_hours_between(at(2026, 9, 30), at(2026, 10, 9)) == 14.0  # 9-30 and 10-08 only
    assert working_hours_between(at(2026, 3, 7, 9), at(2026, 3, 7, 17)) == 0.0


@pytest.mark.parametrize("hours", [0.25, 1, 3.5, 7, 7.5, 30, 100, 400])
@pytest.mark.parametrize("start", [at(2026, 9, 29, 11, 45), at(2026, 2, 13, 17, 0), at(2025, 12, 31, 16)])
def test_adding_and_measuring_agree(start, hours):
    end = add_working_hours(start, hours)
    assert working_hours_between(start, end) == pytest.approx(hours)


def test_next_working_moment_and_is_working_time():
    assert next_working_moment(at(2026, 10, 1, 9)) == at(2026, 10, 8, 8, 30)
    assert next_working_moment(at(2026, 3, 4, 9)) == at(2026, 3, 4, 9)
    assert is_working_time(at(2026, 3, 4, 8, 30))
    assert not is_working_time(at(2026, 3, 4, 12))
    assert is_working_time(at(2026, 10, 10, 15))  # 调休 Saturday


# -- cost and cache ------------------------------------------------------------------------


def test_one_due_time_costs_one_query_and_none_once_cached(django_assert_num_queries):
    with django_assert_num_queries(1):
        add_working_hours(at(2026, 9, 30, 17), 40)
    with django_assert_num_queries(0):
        add_working_hours(at(2026, 9, 30, 17), 40)
        add_working_days(at(2026, 2, 12, 9), 5)
        working_hours_between(at(2026, 1, 1), at(2026, 12, 31))
        is_workday(date(2026, 10, 10))


def test_saving_a_day_reaches_the_next_computation(django_capture_on_commit_callbacks):
    assert is_workday(date(2026, 3, 4))  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        day = CalendarDay.objects.create(date=date(2026, 3, 4), is_workday=False, note="台风停工")
        assert not is_workday(date(2026, 3, 4))  # inside the transaction already
    assert not is_workday(date(2026, 3, 4))
    assert add_working_hours(at(2026, 3, 3, 17), 1) == at(2026, 3, 5, 9)
    day.is_workday = True
    day.save()
    assert is_workday(date(2026, 3, 4))
    day.delete()
    assert is_workday(date(2026, 3, 4))


def test_after_the_commit_the_calendar_is_cached_again(
    django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        CalendarDay.objects.create(date=date(2026, 3, 4), is_workday=False)
    assert not is_workday(date(2026, 3, 4))
    with django_assert_num_queries(0):
        assert not is_workday(date(2026, 3, 4))


def test_an_uncommitted_change_is_not_cached_for_others(django_capture_on_commit_callbacks):
    from django.core.cache import cache

    with django_capture_on_commit_callbacks(execute=False):
        CalendarDay.objects.create(date=date(2026, 3, 4), is_workday=False)
        assert not is_workday(date(2026, 3, 4))
        assert cache.get(calendar.CACHE_KEY) is None  # it may still roll back


def test_a_year_without_holidays_counts_weekdays_and_says_so(caplog):
    calendar._warned_years.discard(2031)
    with caplog.at_level("WARNING", logger="linli.core.calendar"):
        assert is_workday(date(2031, 1, 1))  # a Wednesday; nothing loaded for 2031
    assert "2031" in caplog.text


# -- load_calendar ---------------------------------------------------------------------------


def test_load_calendar_adds_and_updates_days(tmp_path, capsys):
    path = tmp_path / "2027.csv"
    path.write_text(
        "date,is_workday,note\n2027-01-01,0,元旦\n2027-02-06,1,春节调休上班\n2026-10-10,休,改\n", encoding="utf-8"
    )
    assert is_workday(date(2026, 10, 10))
    call_command("load_calendar", str(path))
    assert not is_workday(date(2027, 1, 1))
    assert is_workday(date(2027, 2, 6))  # a Saturday
    assert not is_workday(date(2026, 10, 10))  # updated, and the cache knows
    assert "2" in capsys.readouterr().out
    assert CalendarDay.objects.get(date=date(2027, 2, 6)).note == "春节调休上班"


@pytest.mark.parametrize(
    "content, line",
    [
        ("2027-05-03,0,ok\n2027-13-01,0,x\n", 2),
        ("date,is_workday\n2027-01-01,maybe\n", 2),
        ("2027-01-01\n", 1),
    ],
)
def test_load_calendar_refuses_bad_rows_and_changes_nothing(tmp_path, content, line):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    before = CalendarDay.objects.count()
    with pytest.raises(CommandError, match=f"{line}"):
        call_command("load_calendar", str(path))
    assert CalendarDay.objects.count() == before


def test_admin_edits_days_in_the_list(client, django_user_model):
    from django.urls import reverse

    client.force_login(django_user_model.objects.create_superuser(phone="13700000000", password="admin-pass-123"))
    assert is_workday(date(2026, 10, 10))
    day = CalendarDay.objects.get(date=date(2026, 10, 10))
    url = reverse("admin:core_calendarday_changelist")
    page = client.get(url, {"date__year": 2026, "date__month": 10})
    assert page.status_code == 200 and "国庆节调休上班" in page.content.decode()
    rows = list(page.context["cl"].result_list)
    form = {"form-TOTAL_FORMS": len(rows), "form-INITIAL_FORMS": len(rows), "_save": "1"}
    for index, row in enumerate(rows):
        form[f"form-{index}-id"] = row.pk
        form[f"form-{index}-note"] = row.note
        if row.pk == day.pk:
            form[f"form-{index}-note"] = "取消调休"  # the Saturday is off after all
        elif row.is_workday:
            form[f"form-{index}-is_workday"] = "on"
    response = client.post(url + "?date__year=2026&date__month=10", form)
    assert response.status_code == 302, response.context and response.context["cl"].formset.errors
    assert not is_workday(date(2026, 10, 10))
    assert CalendarDay.objects.get(pk=day.pk).note == "取消调休"
