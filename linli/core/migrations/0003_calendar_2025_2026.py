"""China's public holidays and swapped working days (调休) for 2025 and 2026,
as announced by the General Office of the State Council (国务院办公厅).

Every holiday date is stored (also those on a weekend, which change nothing but
make the table read like the announcement); weekend dates that are working days
are stored with is_workday=True. Other years: `manage.py load_calendar FILE.csv`.
"""

from datetime import date, timedelta

from django.db import migrations


def days(first, last):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


HOLIDAYS = [
    # 2025
    (date(2025, 1, 1), date(2025, 1, 1), "元旦"),
    (date(2025, 1, 28), date(2025, 2, 4), "春节"),
    (date(2025, 4, 4), date(2025, 4, 6), "清明节"),
    (date(2025, 5, 1), date(2025, 5, 5), "劳动节"),
    (date(2025, 5, 31), date(2025, 6, 2), "端午节"),
    (date(2025, 10, 1), date(2025, 10, 8), "国庆节、中秋节"),
    # 2026
    (date(2026, 1, 1), date(2026, 1, 3), "元旦"),
    (date(2026, 2, 15), date(2026, 2, 23), "春节"),
    (date(2026, 4, 4), date(2026, 4, 6), "清明节"),
    (date(2026, 5, 1), date(2026, 5, 5), "劳动节"),
    (date(2026, 6, 19), date(2026, 6, 21), "端午节"),
    (date(2026, 9, 25), date(2026, 9, 27), "中秋节"),
    (date(2026, 10, 1), date(2026, 10, 7), "国庆节"),
]

SWAPPED_WORKDAYS = [
    # 2025
    (date(2025, 1, 26), "春节调休上班"),
    (date(2025, 2, 8), "春节调休上班"),
    (date(2025, 4, 27), "劳动节调休上班"),
    (date(2025, 9, 28), "国庆节调休上班"),
    (date(2025, 10, 11), "国庆节调休上班"),
    # 2026
    (date(2026, 1, 4), "元旦调休上班"),
    (date(2026, 2, 14), "春节调休上班"),
    (date(2026, 2, 28), "春节调休上班"),
    (date(2026, 5, 9), "劳动节调休上班"),
    (date(2026, 9, 20), "国庆节调休上班"),
    (date(2026, 10, 10), "国庆节调休上班"),
]


def rows():
    for first, last, note in HOLIDAYS:
        for day in days(first, last):
            yield day, False, note
    for day, note in SWAPPED_WORKDAYS:
        yield day, True, note


def load(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    for day, is_workday, note in rows():
        # Keep rows an operator already entered by hand.
        CalendarDay.objects.using(schema_editor.connection.alias).get_or_create(
            date=day, defaults={"is_workday": is_workday, "note": note}
        )
    _invalidate()


def unload(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarDay.objects.using(schema_editor.connection.alias).filter(date__in=[day for day, _w, _n in rows()]).delete()
    _invalidate()


def _invalidate():
    from django.core.cache import cache

    cache.delete("linli:core:calendar:v1")  # linli.core.calendar.CACHE_KEY, frozen here


class Migration(migrations.Migration):
    dependencies = [("core", "0002_outbox_next_attempt")]

    operations = [migrations.RunPython(load, unload)]
