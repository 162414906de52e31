"""Test and benchmark helpers: hotline files as the hotline center exports them.

    HEADERS                  a typical 12345 export's header row (with empty result columns)
    order_row(i, **over)     one work order of street A (开元街道 坑内社区, alternating grids)
    xlsx_bytes(rows, headers=HEADERS, title=None)   a workbook (write-only: fast at 100,000 rows)
    csv_bytes(rows, headers=HEADERS, encoding="utf-8-sig")
    upload(name, data)       a SimpleUploadedFile
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

HEADERS = ["工单编号", "来电时间", "诉求人", "联系电话", "诉求内容", "诉求地址", "诉求类型", "办理时限",
           "办理结果", "办结时间", "回访满意度", "办理状态"]
ADDRESSES = ("思明区开元街道坑内社区第一网格仙岳路12号", "开元街道坑内社区第二网格湖滨北路3号", "厦门市思明区坑内社区莲岳里5号")
TYPES = ("井盖", "园林绿化", "城市管理-市容环卫-街面秩序", "邻里纠纷")
START = datetime(2026, 3, 2, 9, 0)


def order_row(i, **over):
    """The values of work order `i` under HEADERS (override a column by its header: **{"诉求地址": ...})."""
    values = {
        "工单编号": f"GD2026{i:08d}",
        "来电时间": START + timedelta(minutes=i),
        "诉求人": f"市民{i % 100}",
        "联系电话": f"139{i % 100000000:08d}",
        "诉求内容": f"来电反映路灯不亮，已持续多日（{i}）",
        "诉求地址": ADDRESSES[i % len(ADDRESSES)],
        "诉求类型": TYPES[i % len(TYPES)],
        "办理时限": (START + timedelta(days=3)).strftime("%Y-%m-%d"),
        "办理结果": None, "办结时间": None, "回访满意度": None, "办理状态": None,
    }
    values.update(over)
    return values


def _as_list(row, headers):
    return [row.get(header) for header in headers] if isinstance(row, dict) else list(row)


def xlsx_bytes(rows, headers=HEADERS, title=None) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("工单")
    if title:
        sheet.append([title])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(_as_list(row, headers))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, headers=HEADERS, encoding="utf-8-sig") -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else (v.strftime("%Y/%m/%d %H:%M") if isinstance(v, datetime) else v)
                         for v in _as_list(row, headers)])
    return text.getvalue().encode(encoding)


def upload(name, data) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")
