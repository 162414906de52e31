"""Row ids from request input. `str.isdigit()` accepts "²" and "٣", which int() refuses or
reads as another number; the database's integers end at 2**63 - 1 (SQLite raises beyond)."""

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
