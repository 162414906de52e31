"""Row ids from request input. `str.isdigit()` accepts "²" and "٣", which int() refuses or
reads as another number; the database's integers end at 2**63 - 1 (SQLite raises beyond).
Coordinates likewise: ASCII digits only (parse_coordinate, and the form and API fields)."""

import math
import re

from django import forms
from rest_framework import serializers

MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """A positive id from an int or a string of ASCII digits; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and (text := value.strip()).isascii() and text.isdigit():
        number = int(text)
    else:
        return None
    return number if 0 < number <= MAX_ID else None


def parse_ids(values, limit=None) -> list[int]:
    """The valid ids among `values`, in order, without repeats; the rest are dropped."""
    ids = []
    for value in values or ():
        number = parse_id(value)
        if number is not None and number not in ids:
            ids.append(number)
            if limit is not None and len(ids) >= limit:
                break
    return ids


# -- coordinates ------------------------------------------------------------------------------
# float() reads "٢٤.٤٧" (Arabic-Indic digits), "２４" (full width), "nan", "inf" and "1e1";
# a position takes ASCII digits with an optional sign and decimal point, nothing else.
ASCII_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
LATITUDE, LONGITUDE = 90.0, 180.0  # the bound of each, either side of 0


def parse_coordinate(value, bound=LONGITUDE) -> float | None:
    """A finite number within ±bound from a float/int or a string of ASCII digits; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        number = value
    elif isinstance(value, int):
        number = float(value) if abs(value) <= bound else math.inf  # float() of a huge int overflows
    elif isinstance(value, str) and ASCII_DECIMAL.fullmatch(text := value.strip()):
        number = float(text)
    else:
        return None
    return number if math.isfinite(number) and -bound <= number <= bound else None


def parse_point(lat, lng) -> tuple[float, float] | None:
    """(lat, lng) as floats when both are coordinates on the map, else None."""
    lat, lng = parse_coordinate(lat, LATITUDE), parse_coordinate(lng, LONGITUDE)
    return None if lat is None or lng is None else (lat, lng)


def is_ascii_number(value) -> bool:
    """What the coordinate fields accept before range checks: a number, or ASCII digits in a string."""
    if isinstance(value, bool):
        return False
    return isinstance(value, (int, float)) or (isinstance(value, str) and bool(ASCII_DECIMAL.fullmatch(value.strip())))


class CoordinateFormField(forms.FloatField):
    """A form's latitude/longitude: FloatField that refuses anything but ASCII digits."""

    def to_python(self, value):
        if value not in self.empty_values and not is_ascii_number(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class CoordinateSerializerField(serializers.FloatField):
    """An API's latitude/longitude: FloatField that refuses anything but ASCII digits."""

    def to_internal_value(self, data):
        if not is_ascii_number(data):
            self.fail("invalid")
        try:
            return super().to_internal_value(data)
        except OverflowError:  # float() of a JSON integer with hundreds of digits
            self.fail("invalid")
