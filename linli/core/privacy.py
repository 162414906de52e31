"""Personal data shown in full only on request, and every request recorded (PIPL).

record_access(viewer, subject, field, ip=None) -> PersonalDataAccess
    Call it in the action that hands out the full value, before returning it; the row
    commits with whatever else the action writes.
"""

from __future__ import annotations

from .models import PersonalDataAccess


def mask_phone(phone):
    """A mobile number as lists show it: 138****5678 (anything else unchanged)."""
    return f"{phone[:3]}****{phone[-4:]}" if phone and len(phone) == 11 else phone


def record_access(viewer, subject: str, field: str, ip: str | None = None) -> PersonalDataAccess:
    max_subject = PersonalDataAccess._meta.get_field("subject").max_length
    return PersonalDataAccess.objects.create(viewer=viewer, subject=str(subject)[:max_subject], field=field, ip=ip or None)
