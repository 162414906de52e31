"""Shared by the volunteering actions: the error, limits and small cleaners. The write contract is the package's text."""

from __future__ import annotations

from django.utils.translation import gettext as _

from linli.core.errors import ActionError
from linli.enrolment.actions import _on_the_map  # noqa: F401 — one rule for a position on the map

MAX_LIST_ITEMS = 20
ID_NUMBER_FIELD = "id_number"


class VolunteeringError(ActionError):
    """Bad input to a volunteering action."""


def _choice(value, choices, field, required=True):
    if not value and not required:
        return ""
    if value not in choices.values:
        raise VolunteeringError("invalid", _("Choose one of the offered values."), field=field)
    return value


def _text_list(values, field, allowed=None):
    if values in (None, ""):
        return []
    if isinstance(values, str):
        values = [v for v in values.replace("，", ",").split(",")]
    if not isinstance(values, (list, tuple)):
        raise VolunteeringError("invalid", _("Give a list."), field=field)
    cleaned = []
    for value in values:
        value = str(value).strip()[:20]
        if value and value not in cleaned:
            cleaned.append(value)
    if len(cleaned) > MAX_LIST_ITEMS:
        raise VolunteeringError("invalid", _("Too many items."), field=field)
    if allowed is not None and set(cleaned) - set(allowed.values):
        raise VolunteeringError("invalid", _("Choose one of the offered values."), field=field)
    return cleaned


def _cancelled_error():
    return VolunteeringError("activity_cancelled", _("This activity has been cancelled."))

