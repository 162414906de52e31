"""The reporter's full phone number, on request and recorded (PIPL; see core.privacy)."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from linli.core.privacy import record_access

from ..errors import CaseError
from ..parties import reporter_visible

PHONE_FIELD = "phone"


def reporter_phone_of(case) -> str:
    """The number to call: the one given with the report (on-behalf and walk-in reports), else the account's."""
    return case.reporter_phone or (case.reporter.phone if case.reporter_id else "")


def check_reveal_reporter_phone(viewer, case, ip=None) -> str:
    """The reporter's full phone number for staff who may see who reported (parties.reporter_visible),
    after recording the access. Http404 for anyone else, and for a reporter's own number (staff who
    filed on a resident's behalf may reveal the resident's); CaseError "no_phone" when there is none."""
    own_number = case.reporter_id == viewer.pk and not case.reporter_phone
    if own_number or not reporter_visible(viewer, case):
        raise Http404
    phone = reporter_phone_of(case)
    if not phone:
        raise CaseError("no_phone", _("This report carries no phone number."))
    return do_reveal_reporter_phone(viewer, case, phone, ip)


def do_reveal_reporter_phone(viewer, case, phone, ip=None) -> str:
    with transaction.atomic():
        record_access(viewer, f"case:{case.number}:reporter", PHONE_FIELD, ip)
    return phone
