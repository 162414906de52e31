"""Reading hotline exports: .xlsx (openpyxl, read-only, streamed), the older Excel .xls
(python-calamine: many 12345 systems still export it) or .csv in UTF-8 (with or
without BOM) or GB18030, as Chinese offices save them. Rows come out as lists of plain
values; numbers as the spreadsheet shows them, dates as `datetime`.

The header row is the first row with at least two filled cells among the first ten (some
exports put a one-cell title above it); row numbers are the spreadsheet's (1-based).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime

from openpyxl import load_workbook
from python_calamine import CalamineError, CalamineWorkbook

from linli.core import spreadsheets
from linli.core.spreadsheets import TooBig

HEADER_SEARCH_ROWS = 10
SNIFF_BYTES = 64 * 1024
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2 compound file: Excel 97-2003 (BIFF8)


class FileProblem(Exception):
    """The file cannot be read at all (not a row problem)."""


def detect_format(name: str, head: bytes) -> str:
    """'xlsx', 'xls' or 'csv', by content (the name only breaks the tie for text)."""
    if head.startswith(XLSX_MAGIC):
        return "xlsx"
    if head.startswith(XLS_MAGIC):
        return "xls"
    if b"\x00" in head[:4096]:
        raise FileProblem("binary")  # Word files, images and other binaries
    return "csv"


def detect_encoding(head: bytes) -> str:
    """utf-8-sig for a BOM, utf-8 when the first 64 KB decode, else gb18030 (a superset of GBK/GB2312)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head[:SNIFF_BYTES], final=False)  # a character cut at the end is not an error
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def clean_value(value):
    """A cell as stored and written back: text stripped, integral floats as int."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def json_value(value):
    """A cell for a JSON column (dates as ISO text)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _is_filled(value) -> bool:
    return value is not None and value != ""


class SheetReader:
    """Opens a stored upload; `headers`, `header_row`, `rows()` and `count_rows()`."""

    def __init__(self, handle, file_format: str, encoding: str = ""):
        self.handle = handle
        self.file_format = file_format
        self.encoding = encoding
        self._book = None
        try:
            # Measured before anything is parsed: a zip bomb is refused in milliseconds.
            if file_format == "xlsx":
                spreadsheets.check_xlsx(handle)
            self.header_row, self.headers = self._find_header()
        except (FileProblem, TooBig):
            raise
        except (zipfile.BadZipFile, KeyError, ValueError, UnicodeDecodeError, csv.Error, OSError,
                CalamineError) as error:
            raise FileProblem(str(error)) from None

    # -- raw rows ---------------------------------------------------------------------------
    def _raw_rows(self) -> Iterator[tuple]:
        self.handle.seek(0)
        if self.file_format == "xlsx":
            if self._book is None:
                self._book = load_workbook(self.handle, read_only=True, data_only=True)
            sheet = self._book.worksheets[0]
            yield from sheet.iter_rows(values_only=True)
        elif self.file_format == "xls":
            # .xls files are small (65,536 rows at most): calamine reads the sheet whole.
            if self._book is None:
                self._book = CalamineWorkbook.from_filelike(self.handle)
            sheet = self._book.get_sheet_by_index(0)
            spreadsheets.check_dimensions(sheet.total_height, sheet.total_width)  # .xls is not compressed
            yield from sheet.iter_rows()
        else:
            text = io.TextIOWrapper(self.handle, encoding=self.encoding or "utf-8", newline="")
            try:
                yield from (tuple(row) for row in csv.reader(text))
            finally:
                text.detach()  # the caller owns the file

    def _find_header(self):
        for number, row in enumerate(self._raw_rows(), start=1):
            if number > HEADER_SEARCH_ROWS:
                break
            filled = [cell for cell in row if _is_filled(cell)]
            if len(filled) >= 2:
                headers = [str(clean_value(cell)) if _is_filled(cell) else "" for cell in row]
                while headers and not headers[-1]:
                    headers.pop()
                return number, headers
        raise FileProblem("no header")

    def rows(self) -> Iterator[tuple[int, list]]:
        """(row number, values aligned to the headers) for every non-empty row after the header;
        TooBig past spreadsheets.MAX_ROWS (a sheet that declares no size is held to it here)."""
        width = len(self.headers)
        for number, row in enumerate(self._raw_rows(), start=1):
            if number <= self.header_row:
                continue
            if number > spreadsheets.MAX_ROWS:
                raise TooBig("too_many_rows", str(number))
            values = [clean_value(cell) for cell in row[:width]]
            if not any(_is_filled(value) for value in values):
                continue
            values.extend([None] * (width - len(values)))
            yield number, values

    def count_rows(self) -> int:
        """Rows after the header: the sheet's recorded size when it has one, else counted."""
        if self.file_format == "xlsx":
            self.handle.seek(0)
            if self._book is None:
                self._book = load_workbook(self.handle, read_only=True, data_only=True)
            sheet = self._book.worksheets[0]
            if sheet.max_row and sheet.max_row > 1:
                return max(sheet.max_row - self.header_row, 0)
        return sum(1 for _ in self.rows())

    def close(self):
        if self._book is not None:
            self._book.close()
            self._book = None


def open_sheet(handle, file_format, encoding="") -> SheetReader:
    return SheetReader(handle, file_format, encoding)
