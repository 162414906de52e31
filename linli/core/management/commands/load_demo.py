"""python manage.py load_demo — the Xiamen demo data and one account per role."""

import unicodedata

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from linli.core.demo import data, load_demo


def width(text):
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text, columns):
    return text + " " * (columns - width(text))


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo accounts."

    def handle(self, *args, **options):
        result = load_demo()
        if result.created_anything:
            counts = ", ".join(f"{what} {n}" for what, n in sorted(result.created.items()) if n)
            self.stdout.write(self.style.SUCCESS(_("Demo data loaded: %(counts)s.") % {"counts": counts}))
        else:
            self.stdout.write(_("The demo data was already loaded; nothing new was created."))
        self.stdout.write("")
        self.stdout.write(_("Demo accounts (staff password %(password)s; residents log in with a one-time code, "
                            "which the development SMS backend writes to the server log):") % {"password": data.DEMO_PASSWORD})
        rows = [(_("phone"), _("password"), _("role"), _("node")), *result.accounts]
        rows = [tuple(str(value) for value in row) for row in rows]
        widths = [max(width(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            cells = [pad(value, columns) for value, columns in zip(row, widths)]
            self.stdout.write("  " + "  ".join([*cells, str(row[3])]))
        self.stdout.write("")
        self.stdout.write(_("Log in at %(url)s") % {"url": data.LOGIN_URL})
