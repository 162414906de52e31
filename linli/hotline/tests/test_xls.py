"""12345 exports in the old Excel format (.xls, BIFF8) are read like .xlsx (python-calamine)."""

import io
from datetime import datetime

import pytest
from django.utils import timezone

from linli.cases.models import Case
from linli.hotline import actions
from linli.hotline.actions import HotlineError
from linli.hotline.choices import JobStatus
from linli.hotline.models import HotlineOrder
from linli.hotline.testing import HEADERS, order_row, upload

xlwt = pytest.importorskip("xlwt", reason="xlwt (test extra) writes the .xls files of these tests")

pytestmark = pytest.mark.django_db


def xls_bytes(rows, headers=HEADERS, title=None, numeric_phones=False) -> bytes:
    """An Excel 97-2003 workbook as a hotline system exports it: dates as date cells, and
    (numeric_phones) phone numbers typed as numbers, as they often are."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("工单")
    when = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm:ss")
    line = 0
    if title:
        sheet.write(line, 0, title)
        line += 1
    for column, header in enumerate(headers):
        sheet.write(line, column, header)
    for row in rows:
        line += 1
        for column, header in enumerate(headers):
            value = row.get(header)
            if value is None:
                continue
            if isinstance(value, datetime):
                sheet.write(line, column, value, when)
            elif header == "联系电话" and numeric_phones:
                sheet.write(line, column, float(value))
            else:
                sheet.write(line, column, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xls_export_is_imported_like_an_xlsx(hotline, tree):
    data = xls_bytes([order_row(i) for i in range(5)], title="厦门市12345便民服务热线工单导出", numeric_phones=True)
    assert data.startswith(b"\xd0\xcf\x11\xe0")  # a real BIFF file, not an xlsx renamed
    job = hotline(data, name="工单导出.xls")
    assert job.file_format == "xls"
    assert (job.status, job.total, job.created, job.failed) == (JobStatus.DONE, 5, 5, 0)
    first = HotlineOrder.objects.select_related("case").get(job=job, external_number="GD202600000000")
    assert first.row_number == 3  # the title row and the header row above it
    assert timezone.localtime(first.received_at).replace(tzinfo=None) == datetime(2026, 3, 2, 9, 0)
    assert first.case.reporter_phone == "13900000000"  # a number cell, not "13900000000.0"
    assert first.case.area == tree.grid_a1
    assert Case.objects.filter(pk__in=HotlineOrder.objects.filter(job=job).values("case")).count() == 5


def test_a_damaged_xls_fails_its_job_with_the_reason_not_a_500(uploaded):
    damaged = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    job = uploaded(damaged, "x.xls")
    assert (job.status, job.message) == ("failed", "unreadable_file")
