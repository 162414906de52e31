"""A 100,000-row workbook, generated, imported in the background (eagerly after commit, as
the embedded default runs it) in chunks with progress, then imported again (nothing new).

Slow by nature: every row is a real case filed through cases.check_report. Its time is
printed and recorded in bench/README.md; `bench/hotline_import.py` reproduces it on PostgreSQL.
"""

import logging
import os
import time

import pytest

from linli.cases.models import Case
from linli.hotline.choices import JobStatus
from linli.hotline.importer import CHUNK_ROWS
from linli.hotline.models import HotlineOrder
from linli.hotline.testing import order_row, xlsx_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ROWS = int(os.environ.get("LINLI_BIG_IMPORT_ROWS", "100000"))


def test_a_100000_row_workbook_is_imported_in_chunks_with_progress(hotline, caplog):
    started = time.perf_counter()
    data = xlsx_bytes(order_row(i) for i in range(ROWS))
    generated = time.perf_counter()
    with caplog.at_level(logging.INFO, logger="linli.hotline.importer"):
        job = hotline(data, name="big.xlsx")
    imported = time.perf_counter()
    assert (job.status, job.total, job.done, job.created, job.failed) == (JobStatus.DONE, ROWS, ROWS, ROWS, 0)
    assert HotlineOrder.objects.filter(job=job).count() == ROWS
    # Progress was written chunk by chunk, never one transaction for the file.
    progress = [r.getMessage() for r in caplog.records if "rows" in r.getMessage()]
    assert len(progress) == ROWS // CHUNK_ROWS and progress[0].endswith(f"{CHUNK_ROWS} of about {ROWS} rows")

    again = hotline(data, name="big-again.xlsx")
    assert (again.created, again.skipped, again.failed) == (0, ROWS, 0)
    assert Case.objects.count() == ROWS
    finished = time.perf_counter()
    print(f"\n100,000 rows: generate {generated - started:.1f} s, import {imported - generated:.1f} s "
          f"({ROWS / (imported - generated):.0f} rows/s), re-import {finished - imported:.1f} s")
