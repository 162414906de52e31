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


def mask_name(name):
    """张*明, 张*, 欧**娜: the first and (from three characters) the last character shown."""
    name = name or ""
    if len(name) <= 2:
        return name[:1] + "*" * (len(name) - 1)
    return name[0] + "*" * (len(name) - 2) + name[-1]


def record_access(viewer, subject: str, field: str, ip: str | None = None) -> PersonalDataAccess:
    max_subject = PersonalDataAccess._meta.get_field("subject").max_length
    return PersonalDataAccess.objects.create(viewer=viewer, subject=str(subject)[:max_subject], field=field, ip=ip or None)
