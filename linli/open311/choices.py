"""Enums and limits of the Open311 GeoReport v2 interface."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Datatype(models.TextChoices):
    """The datatypes of a service definition's attributes (GeoReport v2)."""

    STRING = "string", _("Short text")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Long text")
    SINGLEVALUELIST = "singlevaluelist", _("One choice from a list")
    MULTIVALUELIST = "multivaluelist", _("Several choices from a list")


LIST_DATATYPES = frozenset({Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST})


class RequestState(models.TextChoices):
    HELD = "held", _("Waiting for screening")
    FILED = "filed", _("Filed as a case")
    REJECTED = "rejected", _("Rejected in screening")


# The spec's limits.
DESCRIPTION_MAX_LENGTH = 4000
# Answers to one attribute: a string at most this long (text datatype included).
ANSWER_MAX_LENGTH = 2000
STRING_MAX_LENGTH = 500
MEDIA_URL_MAX_LENGTH = 1000
DEFAULT_WINDOW_DAYS = 90
MAX_WINDOW_DAYS = 90
SPECIFICATION_URL = "http://wiki.open311.org/GeoReport_v2"
FORMATS = {"json": "application/json", "xml": "text/xml"}
