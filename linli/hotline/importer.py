"""Reading an upload's header row (read_headers), then running the import: the file's rows in chunks; a chunk's rows are validated first, then its
good rows filed in one batch (cases.do_report_many) in one short transaction with the
chunk's progress. A file of 100,000 rows
never holds one long transaction, and a crash keeps what earlier chunks filed: running the
job again skips those rows by their work order numbers.
"""

from __future__ import annotations

import logging
from itertools import islice

from django.db import transaction
from django.utils import translation

from .actions import (
    CREATED,
    FAILED,
    SKIPPED,
    file_import_rows,
    prepare_import_row,
    do_begin_job,
    do_fail_reading,
    do_finish_job,
    do_read_headers,
    do_record_progress,
    importer_scope,
    known_numbers,
)
from linli.core.spreadsheets import TooBig, too_big_message

from .choices import NO_ROWS, UNREADABLE, JobStatus
from .exports import error_workbook
from .files import FileProblem, open_sheet
from .models import ImportJob, ImportRowError
from .rows import RowReader

logger = logging.getLogger(__name__)

CHUNK_ROWS = 500


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def read_headers(job_id) -> ImportJob | None:
    """Open the stored file, find its header row and check it has rows: the job then waits for
    the clerk's mapping (status mapping), or fails with the reason."""
    job = ImportJob.objects.filter(pk=job_id, status=JobStatus.READING).first()
    if job is None:
        return None
    try:
        with job.file.open("rb") as handle:
            sheet = open_sheet(handle, job.file_format, job.encoding)
            try:
                headers, has_rows = sheet.headers, next(sheet.rows(), None) is not None
            finally:
                sheet.close()
    except TooBig as refused:
        return do_fail_reading(job, refused.reason)
    except FileProblem:
        return do_fail_reading(job, UNREADABLE)
    except Exception:  # noqa: BLE001 — the clerk must see it failed, not a page reading forever
        logger.exception("Hotline import %s: the file could not be read", job.pk)
        return do_fail_reading(job, UNREADABLE)
    if not has_rows:
        return do_fail_reading(job, NO_ROWS)
    return do_read_headers(job, headers)


def claim(job_id) -> ImportJob | None:
    """The job, moved from queued to running by this worker only (a task delivered twice runs once)."""
    if not ImportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(status=JobStatus.RUNNING):
        return None
    return ImportJob.objects.select_related("source", "area", "created_by", "fallback_category").get(pk=job_id)


def run_import(job_id, chunk_rows=CHUNK_ROWS) -> ImportJob | None:
    job = claim(job_id)
    if job is None:
        return None
    with translation.override("zh-hans"):
        try:
            return _run(job, chunk_rows)
        except TooBig as refused:  # a sheet that declared no size ran past the row limit
            return do_finish_job(job, status=JobStatus.FAILED, message=too_big_message(refused))
        except Exception as error:  # noqa: BLE001 — the job must say it failed, not stay "running"
            logger.exception("Hotline import %s failed", job.pk)
            return do_finish_job(job, status=JobStatus.FAILED, message=f"{type(error).__name__}: {error}")


def _run(job, chunk_rows):
    if not importer_scope(job.created_by).contains_area(job.area):
        return do_finish_job(job, status=JobStatus.FAILED, message="The importing user may no longer dispatch here.")
    with job.file.open("rb") as handle:
        try:
            sheet = open_sheet(handle, job.file_format, job.encoding)
        except FileProblem as problem:
            return do_finish_job(job, status=JobStatus.FAILED, message=f"unreadable: {problem}")
        except TooBig as refused:
            return do_finish_job(job, status=JobStatus.FAILED, message=too_big_message(refused))
        sheet_total = sheet.count_rows()
        do_begin_job(job, sheet_total)
        reader = RowReader(job)
        counts = {CREATED: 0, SKIPPED: 0, FAILED: 0}
        done = 0
        for chunk in _chunks(sheet.rows(), chunk_rows):
            known = known_numbers(job.source_id, {n for n in (reader.external_number(v) for _r, v in chunk) if n})
            errors, prepared = [], []
            for number, values in chunk:
                outcome, detail = prepare_import_row(job, reader, number, values, known)
                if outcome == CREATED:
                    prepared.append(detail)
                    continue
                counts[outcome] += 1
                if outcome == FAILED:
                    errors.append(ImportRowError(
                        job=job, row_number=number, external_number=reader.external_number(values),
                        code=detail.code, message=detail.message[:300],
                    ))
            with transaction.atomic():
                filed, skipped = file_import_rows(job, prepared)
                counts[CREATED] += filed
                counts[SKIPPED] += skipped
                done += len(chunk)
                do_record_progress(job, done=done, created=counts[CREATED], skipped=counts[SKIPPED],
                                   failed=counts[FAILED], errors=errors)
            logger.info("Hotline import %s: %d of about %d rows", job.pk, done, sheet_total)
        sheet.close()
    error_file = None
    if counts[FAILED]:
        rows = ImportRowError.objects.filter(job=job).order_by("row_number").values_list(
            "row_number", "external_number", "message", "code")
        error_file = error_workbook(rows.iterator(chunk_size=2000))
    return do_finish_job(job, error_file=error_file)
