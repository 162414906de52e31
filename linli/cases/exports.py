"""民情台账 as an Excel workbook: a summary sheet, the breakdowns by category and by
child area, and the register of the individual cases (phones masked, PIPL). Headers are in Chinese whatever the page language: the file is filed and
forwarded as an official register."""

from io import BytesIO

from django.utils import timezone

from linli.accounts.models import mask_phone
from linli.core import spreadsheets
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .ledger import ledger_cases, period_bounds, timeliness

TITLE = "民情台账"
RED = "B4282D"
HEADER_FILL = PatternFill("solid", fgColor=RED)
BAND_FILL = PatternFill("solid", fgColor="FBEAEA")
THIN = Side(style="thin", color="D9D4CC")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FONT = "等线"  # the default CJK font of Chinese Office; others fall back to their own

PERCENT = "0.0%"
HOURS = "0.0"

# (header, attribute, number format) of the breakdown columns after the name.
COLUMNS = [
    ("收集数", "collected", "0"),
    ("已办结", "resolved", "0"),
    ("办理中", "open", "0"),
    ("超期未办结", "overdue", "0"),
    ("不予受理", "rejected", "0"),
    ("期内应办结", "due", "0"),
    ("按期办结", "on_time", "0"),
    ("逾期", "late", "0"),
    ("按期办结率", "on_time_rate", PERCENT),
    ("已评价", "rated", "0"),
    ("满意", "satisfied", "0"),
    ("满意率", "satisfaction_rate", PERCENT),
    ("返工", "reworked", "0"),
    ("返工率", "rework_rate", PERCENT),
    ("平均办理时长（小时）", "mean_handling_hours", HOURS),
]

# (label, attribute, number format) of the summary sheet.
SUMMARY = [
    ("收集诉求", "collected", "0"),
    ("已办结", "resolved", "0"),
    ("办理中", "open", "0"),
    ("其中超期", "overdue", "0"),
    ("不予受理", "rejected", "0"),
    ("期内应办结", "due", "0"),
    ("其中逾期", "late", "0"),
    ("按期办结率", "on_time_rate", PERCENT),
    ("满意率", "satisfaction_rate", PERCENT),
    ("返工率", "rework_rate", PERCENT),
    ("平均办理时长（小时）", "mean_handling_hours", HOURS),
]

NOTES = [
    "按期办结率 = 按期办结的诉求 ÷ 期内应办结的诉求（办理时限在统计期间内、截至导出时已到期的诉求，"
    "含期前上报的；超期仍未办结或超期后才办结的都算逾期）",
    "满意率 = 评价为4星或5星的诉求 ÷ 已评价诉求（只算居民自己反映的诉求，不含网格巡查、来访来电、12345 转办）",
    "返工率 = 核查未通过、至少返工一次的诉求 ÷ 已办结诉求",
    "平均办理时长 = 从上报到处置反馈的平均小时数",
]


def ledger_filename(area, date_from, date_to):
    return f"{TITLE}_{area.name}_{date_from.isoformat()}_{date_to.isoformat()}.xlsx"


def _font(**kwargs):
    return Font(name=FONT, **kwargs)


def _title(sheet, text, subtitle, width):
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    sheet["A1"] = text
    sheet["A1"].font = _font(bold=True, size=16, color=RED)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    sheet["A2"] = subtitle
    sheet["A2"].font = _font(size=10, color="5F6B7A")
    sheet["A2"].alignment = Alignment(horizontal="center")


def _header(sheet, row, labels):
    for column, label in enumerate(labels, start=1):
        cell = sheet.cell(row=row, column=column, value=label)
        cell.font = _font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[row].height = 32


def _value_cell(sheet, row, column, value, number_format, band=False):
    cell = sheet.cell(row=row, column=column, value=value if value is not None else "—")
    cell.border = BOX
    cell.font = _font()
    if value is not None:
        cell.number_format = number_format
        cell.alignment = Alignment(horizontal="right")
    else:
        cell.alignment = Alignment(horizontal="center")
    if band:
        cell.fill = BAND_FILL
    return cell


def _summary_sheet(sheet, ledger, subtitle):
    sheet.title = "汇总"
    _title(sheet, f"{TITLE} · {ledger.name}", subtitle, 2)
    _header(sheet, 4, ["指标", "数值"])
    for index, (label, attribute, number_format) in enumerate(SUMMARY):
        row = 5 + index
        name = sheet.cell(row=row, column=1, value=label)
        name.font, name.border = _font(bold=True), BOX
        _value_cell(sheet, row, 2, getattr(ledger, attribute), number_format, band=index % 2 == 1)
    row = 6 + len(SUMMARY)
    sheet.cell(row=row, column=1, value="口径说明").font = _font(bold=True, size=10)
    for offset, note in enumerate(NOTES, start=1):
        sheet.merge_cells(start_row=row + offset, start_column=1, end_row=row + offset, end_column=2)
        sheet.cell(row=row + offset, column=1, value=note).font = _font(size=10, color="5F6B7A")
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 18
    sheet.freeze_panes = "A5"


def _breakdown_sheet(sheet, title, name_header, rows, ledger, subtitle):
    sheet.title = title
    width = 1 + len(COLUMNS)
    _title(sheet, f"{TITLE} · {ledger.name} · {title}", subtitle, width)
    _header(sheet, 4, [name_header] + [label for label, _a, _f in COLUMNS])
    row = 5
    for index, item in enumerate(rows):
        name = sheet.cell(row=row, column=1, value=spreadsheets.text(item.name))
        name.border, name.font = BOX, _font()
        for column, (_label, attribute, number_format) in enumerate(COLUMNS, start=2):
            _value_cell(sheet, row, column, getattr(item, attribute), number_format, band=index % 2 == 1)
        row += 1
    # Totals, so a reader can check the rows add up to the summary.
    total = sheet.cell(row=row, column=1, value="合计")
    total.font, total.border = _font(bold=True), BOX
    for column, (_label, attribute, number_format) in enumerate(COLUMNS, start=2):
        cell = _value_cell(sheet, row, column, getattr(ledger, attribute), number_format)
        cell.font = _font(bold=True)
    sheet.column_dimensions["A"].width = 22
    for column in range(2, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 12
    sheet.freeze_panes = "B5"
    if rows:
        sheet.auto_filter.ref = f"A4:{get_column_letter(width)}{4 + len(rows)}"


# (header, width) of the register of cases.
CASE_COLUMNS = [
    ("编号", 18), ("上报时间", 17), ("类别", 16), ("所属区域", 16), ("渠道", 10), ("状态", 10),
    ("承办单位", 20), ("办结时限", 17), ("办结时间", 17), ("期内上报", 9), ("期内应办结", 10),
    ("按期情况", 12), ("评价", 7), ("反映人电话", 14), ("地址", 24), ("诉求内容", 40),
]
DATETIME = "yyyy-mm-dd hh:mm"


def _local(value):
    # Excel has no time zones: the local wall time, naive
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _punctuality(due, on_time, overdue_now, case):
    if due:
        return "按期办结" if on_time else ("逾期未办结" if case.resolved_at is None else "逾期办结")
    if overdue_now:
        return "超期未办结"
    if case.resolve_due and case.resolved_at and case.resolved_at > case.resolve_due:
        return "逾期办结"
    return "—"


def _cases_sheet(sheet, ledger, subtitle):
    sheet.title = "诉求明细"
    width = len(CASE_COLUMNS)
    _title(sheet, f"{TITLE} · {ledger.name} · 诉求明细", subtitle, width)
    _header(sheet, 4, [label for label, _w in CASE_COLUMNS])
    start, end = period_bounds(ledger)
    now = ledger.now or timezone.now()
    row = 5
    for case in ledger_cases(ledger).iterator(chunk_size=2000):
        collected, due, on_time, overdue_now = timeliness(case, start, end, now)
        phone = case.reporter_phone or (case.reporter.phone if case.reporter_id else "")
        values = [
            case.number, _local(case.created_at), case.category.name,
            case.area.name if case.area_id else "未定位", case.get_channel_display(), case.get_status_display(),
            case.unit.name if case.unit_id else "", _local(case.resolve_due), _local(case.resolved_at),
            "是" if collected else "否", "是" if due else "否", _punctuality(due, on_time, overdue_now, case),
            case.rating, mask_phone(phone) or "", case.address, case.description,
        ]
        for column, value in enumerate(spreadsheets.row(values), start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.border, cell.font = BOX, _font()
            if column in (2, 8, 9) and value is not None:
                cell.number_format = DATETIME
        row += 1
    for column, (_label, column_width) in enumerate(CASE_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = column_width
    sheet.freeze_panes = "B5"
    if row > 5:
        sheet.auto_filter.ref = f"A4:{get_column_letter(width)}{row - 1}"


def ledger_workbook(ledger, area, date_from, date_to) -> bytes:
    """The ledger as .xlsx bytes."""
    generated = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    subtitle = f"{area.name}（{area.code}） 统计期间 {date_from.isoformat()} 至 {date_to.isoformat()} · 导出时间 {generated}"
    book = Workbook()
    _summary_sheet(book.active, ledger, subtitle)
    _breakdown_sheet(book.create_sheet(), "按类别", "类别", ledger.by_category, ledger, subtitle)
    _breakdown_sheet(book.create_sheet(), "按区域", "区域", ledger.by_child_area, ledger, subtitle)
    _cases_sheet(book.create_sheet(), ledger, subtitle)
    book.properties.title = f"{TITLE}_{area.name}"
    book.properties.creator = "邻里 Linli"
    out = BytesIO()
    book.save(out)
    return out.getvalue()
