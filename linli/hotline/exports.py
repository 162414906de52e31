"""Workbooks the hotline exchange writes (openpyxl write-only, streamed row by row):

- the error report of an import (行号, 工单编号, 问题, 代码);
- results back to the hotline center in the source file's own layout: its headers in its
  order, the result columns (办理结果, 办结时间, 回访满意度, 办理状态) filled in where the
  file has them and appended where it has not.

Headers and values are Chinese whatever the page language: the files go back to the hotline
center (as the ledger's register does).
"""

from __future__ import annotations

import tempfile

from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from linli.cases.choices import Action, CaseStatus
from linli.cases.models import CaseEvent
from linli.core import spreadsheets

from .choices import RESULT_COLUMNS, SATISFACTION

ERROR_HEADERS = ("行号", "工单编号", "问题", "代码")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="B4282D")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BATCH = 2000


def _header_row(sheet, labels):
    cells = []
    for label in labels:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cells.append(cell)
    sheet.append(cells)


def _spooled(book):
    """The workbook in a temporary file (kept in memory up to 8 MB), rewound."""
    out = tempfile.SpooledTemporaryFile(max_size=8 * 2**20)
    book.save(out)
    out.seek(0)
    return out


def error_workbook(errors):
    """`errors`: iterable of (row_number, external_number, message, code) → a file object."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("问题清单")
    sheet.column_dimensions["A"].width = 8
    sheet.column_dimensions["B"].width = 22
    sheet.column_dimensions["C"].width = 60
    _header_row(sheet, ERROR_HEADERS)
    for row in errors:
        sheet.append(spreadsheets.row(row))  # the uploaded values are a person's text
    return _spooled(book)


# -- results ------------------------------------------------------------------------------------------


def result_layout(headers):
    """The export's headers (the source's, then missing result columns) and where each result goes."""
    layout = list(headers)
    for column in RESULT_COLUMNS:
        if column not in layout:
            layout.append(column)
    return layout, {column: layout.index(column) for column in RESULT_COLUMNS}


def _results_of(cases):
    """{case_id: note of its latest resolve} for a batch of cases (one query)."""
    notes = {}
    rows = CaseEvent.objects.filter(case_id__in=[case.pk for case in cases], action=Action.RESOLVE).order_by("id")
    for case_id, note in rows.values_list("case_id", "note"):
        notes[case_id] = note
    return notes


def _finished_at(case):
    """办结时间: when the case was closed; a fix reported but not yet closed counts from its report."""
    if case.status == CaseStatus.CLOSED:
        moment = case.closed_at or case.resolved_at
    elif case.status in (CaseStatus.RESOLVED, CaseStatus.VERIFIED):
        moment = case.resolved_at
    else:
        moment = None
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def results_workbook(orders, headers):
    """`orders`: a HotlineOrder queryset (any order); `headers`: the layout to write.

    Each order's values are placed by header name, so orders from files of another layout
    of the same source land in the right columns. Three queries per 2,000 orders.
    """
    layout, result_at = result_layout(headers)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("办理结果")
    _header_row(sheet, layout)
    positions_of_job = {}
    orders = orders.select_related("case", "job").only(
        "values", "job__headers", "case__status", "case__resolved_at", "case__closed_at", "case__rating",
    ).order_by("id")
    with translation.override("zh-hans"):
        batch = []
        for order in orders.iterator(chunk_size=BATCH):
            batch.append(order)
            if len(batch) == BATCH:
                _write_batch(sheet, batch, layout, result_at, positions_of_job)
                batch = []
        _write_batch(sheet, batch, layout, result_at, positions_of_job)
    return _spooled(book)


def _write_batch(sheet, batch, layout, result_at, positions_of_job):
    if not batch:
        return
    notes = _results_of([order.case for order in batch])
    for order in batch:
        positions = positions_of_job.get(order.job_id)
        if positions is None:
            index_of = {header: i for i, header in enumerate(order.job.headers) if header}
            positions = positions_of_job[order.job_id] = [index_of.get(header) for header in layout]
        values = order.values
        line = [values[i] if i is not None and i < len(values) else None for i in positions]
        case = order.case
        line[result_at["办理结果"]] = notes.get(case.pk, "")
        line[result_at["办结时间"]] = _finished_at(case)
        line[result_at["回访满意度"]] = SATISFACTION.get(case.rating, "")
        line[result_at["办理状态"]] = str(case.get_status_display())
        sheet.append(spreadsheets.row(line))
