"""Workbooks are measured before they are opened: a zip bomb of each kind seen in the field is
refused within 2 s with a clear error, in the upload and in the background import, and a real
export passes. Rows and columns are held to the limits too (.xls included)."""

import io
import time
import zipfile

import pytest

from linli.core import spreadsheets
from linli.hotline import actions
from linli.hotline.actions import HotlineError
from linli.hotline.testing import order_row, upload, xlsx_bytes

pytestmark = pytest.mark.django_db

SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
              b'spreadsheetml/2006/main"><sheetData>')


def bomb(member, size, dimension=None):
    """A workbook whose `member` unpacks to `size` bytes of one repeated row (written in pieces:
    the test never holds it in memory)."""
    real = zipfile.ZipFile(io.BytesIO(xlsx_bytes([order_row(0)])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for item in real.infolist():
            if item.filename != member:
                archive.writestr(item, real.read(item.filename))
        with archive.open(member, "w", force_zip64=True) as stream:
            head = SHEET_HEAD if dimension is None else SHEET_HEAD.replace(
                b"<sheetData>", b'<dimension ref="%s"/><sheetData>' % dimension.encode())
            stream.write(head)
            piece = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 20000
            written = len(head)
            while written < size:
                stream.write(piece)
                written += len(piece)
    return out.getvalue()


@pytest.mark.parametrize("member, size", [
    ("xl/worksheets/sheet1.xml", 300 * 2**20),  # more than any real sheet, no <dimension>
    ("xl/sharedStrings.xml", 80 * 2**20),  # shared strings are read whole on opening
    ("xl/worksheets/sheet1.xml", 40 * 2**20),  # small enough, but compressed a thousandfold
])
def test_each_kind_of_zip_bomb_is_refused_fast_with_a_clear_error(tree, personas, member, size):
    data = bomb(member, size)
    started = time.perf_counter()
    with pytest.raises(HotlineError) as refused:
        actions.check_upload(personas.street_dispatcher, upload=upload("orders.xlsx", data), area=tree.street_a,
                             source_name="厦门市12345")
    assert time.perf_counter() - started < 2
    assert refused.value.code in ("part_too_large", "compressed_too_well")
    assert "拆分" in refused.value.message or "split" in refused.value.message


def test_declared_rows_and_columns_are_held_to_the_limits(tree, personas):
    data = bomb("xl/worksheets/sheet1.xml", 1000, dimension="A1:L900000")
    with pytest.raises(HotlineError) as refused:
        actions.check_upload(personas.street_dispatcher, upload=upload("orders.xlsx", data), area=tree.street_a,
                             source_name="厦门市12345")
    assert refused.value.code == "too_many_rows"
    with pytest.raises(spreadsheets.TooBig):
        spreadsheets.check_xlsx(io.BytesIO(bomb("xl/worksheets/sheet1.xml", 1000, dimension="A1:ZZ10")))
    with pytest.raises(spreadsheets.TooBig):
        spreadsheets.check_dimensions(12, 300)  # an .xls sheet's size, read before its rows


def test_a_real_export_passes_the_measure(hotline):
    data = xlsx_bytes([order_row(i) for i in range(20)])
    spreadsheets.check_xlsx(io.BytesIO(data))  # no exception
    job = hotline(data)
    assert job.status == "done"
