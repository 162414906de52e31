"""python manage.py load_calendar FILE.csv — add or update working-calendar days.

One row per date: `date,is_workday,note`, e.g.

    date,is_workday,note
    2027-01-01,0,元旦
    2027-02-07,1,春节调休上班

is_workday takes 1/0, true/false, yes/no, 班/休. A header row is optional. Existing
dates are updated; dates not in the file are left alone. All or nothing.
"""

import csv
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from linli.core.calendar import invalidate_calendar
from linli.core.models import CalendarDay

TRUE = {"1", "true", "yes", "y", "t", "班", "是"}
FALSE = {"0", "false", "no", "n", "f", "休", "否"}
NOTE_LENGTH = CalendarDay._meta.get_field("note").max_length


def parse_rows(lines):
    """(date, is_workday, note) per data row; CommandError names the bad line."""
    rows = {}
    for number, row in enumerate(csv.reader(lines), start=1):
        if not row or not "".join(row).strip() or row[0].strip().startswith("#"):
            continue
        if number == 1 and row[0].strip().lower() == "date":
            continue
        if len(row) < 2:
            raise CommandError(_("Line %(line)d: expected date,is_workday,note.") % {"line": number})
        try:
            day = date.fromisoformat(row[0].strip())
        except ValueError:
            raise CommandError(
                _("Line %(line)d: %(value)r is not a date (YYYY-MM-DD).") % {"line": number, "value": row[0]}
            ) from None
        flag = row[1].strip().lower()
        if flag not in TRUE | FALSE:
            raise CommandError(
                _("Line %(line)d: is_workday must be 1 or 0, not %(value)r.") % {"line": number, "value": row[1]}
            )
        note = row[2].strip() if len(row) > 2 else ""
        if len(note) > NOTE_LENGTH:
            raise CommandError(
                _("Line %(line)d: the note is longer than %(max)d characters.") % {"line": number, "max": NOTE_LENGTH}
            )
        rows[day] = (flag in TRUE, note)
    return rows


class Command(BaseCommand):
    help = "Add or update working-calendar days (public holidays, swapped working days) from a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV with date,is_workday,note")

    def handle(self, *args, file, **options):
        try:
            with open(file, encoding="utf-8-sig", newline="") as handle:
                rows = parse_rows(handle)
        except OSError as error:
            raise CommandError(str(error)) from error
        created = updated = 0
        with transaction.atomic():
            existing = {day.date: day for day in CalendarDay.objects.filter(date__in=list(rows))}
            for day, (is_workday, note) in sorted(rows.items()):
                current = existing.get(day)
                if current is None:
                    CalendarDay.objects.create(date=day, is_workday=is_workday, note=note)
                    created += 1
                elif (current.is_workday, current.note) != (is_workday, note):
                    current.is_workday, current.note = is_workday, note
                    current.save(update_fields=["is_workday", "note"])
                    updated += 1
        invalidate_calendar()
        self.stdout.write(
            _("Calendar: %(created)d days added, %(updated)d updated, %(same)d unchanged.")
            % {"created": created, "updated": updated, "same": len(rows) - created - updated}
        )
