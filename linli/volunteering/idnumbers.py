"""Mainland resident ID numbers: checksum (GB 11643) and masking."""

from __future__ import annotations

from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


def normalize(value) -> str:
    return "".join(str(value or "").split()).upper()


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def birth_date_of(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def is_valid_resident_id(number: str) -> bool:
    """18 characters: 17 digits and a check character (digit or X) that matches, with a real birth date."""
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return False
    return check_char(number[:17]) == number[17] and birth_date_of(number) is not None


# Kept of a resident ID (18 characters): the province and city prefix, and the sequence and check
# character; digits 7-14, the date of birth, never show.
RESIDENT_ID_KEPT = (3, 4)
# Kept of other documents (passports, permits: often 8-9 characters), so most of it stays hidden.
OTHER_ID_KEPT = (1, 2)


def mask(number: str) -> str:
    """350***********1234 for a resident ID; E******78 for a passport; all stars when short."""
    if not number:
        return ""
    if len(number) == 18:
        head, tail = RESIDENT_ID_KEPT
    elif len(number) >= 8:
        head, tail = OTHER_ID_KEPT
    else:
        return "*" * len(number)
    return f"{number[:head]}{'*' * (len(number) - head - tail)}{number[-tail:]}"
