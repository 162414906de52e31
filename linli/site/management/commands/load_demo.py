"""python manage.py load_demo — the Xiamen demo data and one account per role."""

import os
import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from linli.accounts.choices import Role, StaffTier
from linli.site.demo import data, load_demo


def width(text):
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text, columns):
    return text + " " * (columns - width(text))


def role_text(value):
    """The role column in the reader's language: the loaders give "role" or "role (qualifier)"."""
    code, _sep, qualifier = str(value).partition(" (")
    qualifier = qualifier.rstrip(")")
    if code not in Role.values:
        return str(value)
    label = str(Role(code).label)
    qualifiers = {**dict(StaffTier.choices), "volunteer": _("volunteer")}
    if qualifier:
        label += f"（{qualifiers.get(qualifier, qualifier)}）"
    return label


def password_text(value):
    return _("(one-time code)") if value == data.ONE_TIME_CODE else str(value)


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo accounts."

    def add_arguments(self, parser):
        # `make demo` passes the address runserver will use, so the printed link is the right one.
        parser.add_argument("--host", default=os.environ.get("HOST") or "127.0.0.1")
        parser.add_argument("--port", default=os.environ.get("PORT") or "8000")

    def handle(self, *args, **options):
        # The demo's names and this listing are in the site's language, whatever a caller left active.
        with translation.override(settings.LANGUAGE_CODE):
            self.load_and_list(options)

    def load_and_list(self, options):
        result = load_demo()
        if result.created_anything:
            counts = ", ".join(f"{what} {n}" for what, n in sorted(result.created.items()) if n)
            self.stdout.write(self.style.SUCCESS(_("Demo data loaded: %(counts)s.") % {"counts": counts}))
        else:
            self.stdout.write(_("The demo data was already loaded; nothing new was created."))
        self.stdout.write("")
        self.stdout.write(_("Demo accounts (staff password %(password)s; residents log in with a one-time code, "
                            "which the development SMS backend writes to the server log):") % {"password": data.DEMO_PASSWORD})
        rows = [(_("phone"), _("password"), _("role"), _("node")),
                *((phone, password_text(password), role_text(role), node) for phone, password, role, node in result.accounts)]
        rows = [tuple(str(value) for value in row) for row in rows]
        widths = [max(width(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            cells = [pad(value, columns) for value, columns in zip(row, widths)]
            self.stdout.write("  " + "  ".join([*cells, str(row[3])]))
        self.stdout.write("")
        url = data.login_url(options["host"], options["port"])
        self.stdout.write(_("Log in at %(url)s") % {"url": url})
