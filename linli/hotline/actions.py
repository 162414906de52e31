"""Every write of the hotline exchange. `check_*` validates input and permission and calls
`do_*`, which runs in one transaction and locks what it changes.

check_upload(actor, *, upload, area=None, source=None, source_name="") -> ImportJob
    Checks the file's size and kind (an .xlsx's zip directory too: core.spreadsheets.check_xlsx)
    and stores it as a job in status reading; a background task reads its header row and
    proposes a mapping (the source's saved one, else a guess from the headers), or fails the job
    with a code (unreadable_file, no_rows, a TooBig reason): nothing is parsed in the request. `source`: a HotlineSource (or pk) in the actor's scope; or a new
    `source_name` under `area` (an Area in the actor's cases.dispatch scope). HotlineError codes:
    file_required, file_too_large, unreadable_file (not a spreadsheet), part_too_large,
    compressed_too_well, too_many_rows, too_many_columns, source_required, name_too_long, area_required; Http404 for a source or area outside the scope.
check_start_import(actor, job, *, mapping, fallback_category=None, coord_system="wgs84") -> ImportJob
    Saves the mapping on the job and its source, queues the import (tasks.import_hotline_job)
    after commit. Codes: job_not_waiting, bad_mapping, field_required, column_twice,
    unknown_category, bad_coord_system.
prepare_import_row(job, reader, number, values, known) -> (outcome, (OrderRow, ReportDraft) | RowProblem)
    Validates one row (cases.prepare_report, channel hotline, actor = the importing clerk).
file_import_rows(job, prepared) -> (filed, skipped)
    A chunk's good rows in one savepoint: their cases in one batch (cases.do_report_many) and
    their HotlineOrders; row by row when another import filed some of the numbers meanwhile.
"""

from __future__ import annotations

import os
import zipfile

from django.core.files import File
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.cases.actions import CaseError, do_report_many, prepare_report
from linli.cases.choices import Channel
from linli.cases.models import Category
from linli.core.background import run_after_commit
from linli.core.errors import ActionError
from linli.core.scoping import scope_for
from linli.core.spreadsheets import TooBig, check_xlsx, too_big_message
from linli.places.choices import AreaLevel
from linli.places.models import Area

from .choices import COORD_SYSTEMS, FIELD_KEYS, REQUIRED_FIELDS, JobStatus
from .files import FileProblem, detect_encoding, detect_format
from .mapping import guess_mapping
from .models import HotlineOrder, HotlineSource, ImportJob
from .rows import RowProblem

MAX_UPLOAD_BYTES = 100 * 1024 * 1024
SOURCE_LEVELS = (AreaLevel.DISTRICT, AreaLevel.STREET, AreaLevel.COMMUNITY)
NAME_MAX_LENGTH = HotlineSource._meta.get_field("name").max_length

CREATED, SKIPPED, FAILED = "created", "skipped", "failed"


class HotlineError(ActionError):
    """Bad input to an import step (shown on the page)."""


def importer_scope(actor):
    """Where the actor may import: their cases.dispatch scope (what check_report's hotline channel needs)."""
    return scope_for(actor, "cases.dispatch")


def sources_for(actor):
    return importer_scope(actor).filter(HotlineSource.objects.all(), area_path="area__path")


# -- upload -------------------------------------------------------------------------------------------


def _check_source(actor, source, source_name, area):
    scope = importer_scope(actor)
    if scope.is_empty:
        raise Http404
    if source not in (None, ""):
        pk = getattr(source, "pk", source)
        try:
            return sources_for(actor).select_related("area").get(pk=int(pk)), None, ""
        except (HotlineSource.DoesNotExist, TypeError, ValueError):
            raise Http404 from None
    name = (source_name or "").strip()
    if not name:
        raise HotlineError("source_required", _("Choose a source, or name a new one."), field="source_name")
    if len(name) > NAME_MAX_LENGTH:
        raise HotlineError("name_too_long", _("At most %(n)d characters.") % {"n": NAME_MAX_LENGTH}, field="source_name")
    if area in (None, ""):
        raise HotlineError("area_required", _("Choose the area the work orders belong to."), field="area")
    if not isinstance(area, Area):
        area = Area.objects.filter(code=str(area).strip()).first()
    if area is None or area.level not in SOURCE_LEVELS or not scope.contains_area(area):
        raise Http404
    existing = HotlineSource.objects.filter(area=area, name=name).select_related("area").first()
    return existing, area, name


def check_upload(actor, *, upload, area=None, source=None, source_name="") -> ImportJob:
    source, area, name = _check_source(actor, source, source_name, area)
    if upload is None:
        raise HotlineError("file_required", _("Choose an Excel or CSV file."), field="file")
    if upload.size > MAX_UPLOAD_BYTES:
        raise HotlineError(
            "file_too_large", _("The file is larger than %(n)d MB.") % {"n": MAX_UPLOAD_BYTES // 2**20}, field="file"
        )
    upload.seek(0)
    head = upload.read(64 * 1024)
    try:
        file_format = detect_format(upload.name, head)
        if file_format == "xlsx":
            if not zipfile.is_zipfile(upload):
                raise FileProblem("not a zip")
            check_xlsx(upload)  # the zip directory only: a bomb is refused here, in milliseconds
    except TooBig as refused:
        raise HotlineError(refused.reason, too_big_message(refused), field="file") from None
    except FileProblem:
        raise HotlineError("unreadable_file", _("This file cannot be read. Upload an Excel (.xlsx or .xls) or CSV "
                                                "file."), field="file") from None
    encoding = detect_encoding(head) if file_format == "csv" else ""
    upload.seek(0)
    return do_upload(actor, upload=upload, source=source, area=area, source_name=name, file_format=file_format,
                     encoding=encoding)


def do_upload(actor, *, upload, source, area, source_name, file_format, encoding) -> ImportJob:
    """Store the file as a job that is reading; the header row is read in the background
    (tasks.read_hotline_headers → do_read_headers or do_fail_reading)."""
    from .tasks import read_hotline_headers

    with transaction.atomic():
        if source is None:
            source, _created = HotlineSource.objects.get_or_create(area=area, name=source_name)
        job = ImportJob(
            source=source,
            area=source.area,
            created_by=actor,
            status=JobStatus.READING,
            file_name=os.path.basename(upload.name)[:200],
            file_format=file_format,
            encoding=encoding,
            fallback_category=source.fallback_category,
            coord_system=source.coord_system,
        )
        job.file.save(f"{timezone.now():%Y%m%d%H%M%S}.{file_format}", upload, save=False)
        job.save()
        run_after_commit(read_hotline_headers, job.pk, long=True)
    return job


def do_read_headers(job, headers) -> ImportJob | None:
    """The header row is read: propose a mapping (the source's saved one, else a guess) and wait
    for the clerk. None when the job was no longer reading (a task delivered twice)."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().select_related("source").filter(
            pk=job.pk, status=JobStatus.READING).first()
        if locked is None:
            return None
        mapping = {key: header for key, header in locked.source.mapping.items() if header in headers}
        locked.headers, locked.mapping = headers, mapping or guess_mapping(headers)
        locked.status = JobStatus.MAPPING
        locked.save(update_fields=["headers", "mapping", "status"])
    return locked


def do_fail_reading(job, reason) -> ImportJob | None:
    """The file could not be read; `reason` is a code ImportJob.problem words (UNREADABLE,
    NO_ROWS or a TooBig reason)."""
    with transaction.atomic():
        updated = ImportJob.objects.filter(pk=job.pk, status=JobStatus.READING).update(
            status=JobStatus.FAILED, message=reason, finished_at=timezone.now())
    return ImportJob.objects.get(pk=job.pk) if updated else None


# -- mapping and start ------------------------------------------------------------------------------


def check_start_import(actor, job, *, mapping, fallback_category=None, coord_system="wgs84") -> ImportJob:
    if not importer_scope(actor).contains_area(job.area):
        raise Http404
    if job.status != JobStatus.MAPPING:
        raise HotlineError("job_not_waiting", _("This import has already started."))
    if not isinstance(mapping, dict):
        raise HotlineError("bad_mapping", _("The column mapping is not valid."))
    clean = {}
    for key, header in mapping.items():
        if key not in FIELD_KEYS:
            raise HotlineError("bad_mapping", _("The column mapping is not valid."), field=str(key))
        if header in (None, ""):
            continue
        if header not in job.headers:
            raise HotlineError("bad_mapping", _("The file has no column “%(column)s”.") % {"column": header}, field=key)
        clean[key] = header
    for key in REQUIRED_FIELDS:
        if key not in clean:
            raise HotlineError("field_required", _("Choose the column for this field."), field=key)
    columns = list(clean.values())
    for key, header in clean.items():
        if columns.count(header) > 1:
            raise HotlineError("column_twice", _("The column “%(column)s” is chosen twice.") % {"column": header}, field=key)
    if ("lat" in clean) != ("lng" in clean):
        missing = "lng" if "lat" in clean else "lat"
        raise HotlineError("field_required", _("Choose both the longitude and the latitude column, or neither."), field=missing)
    if fallback_category not in (None, ""):
        pk = getattr(fallback_category, "pk", fallback_category)
        try:
            fallback_category = Category.objects.get(pk=int(pk), is_active=True)
        except (Category.DoesNotExist, TypeError, ValueError):
            raise HotlineError("unknown_category", _("Choose one of the listed categories."), field="fallback_category") from None
    else:
        fallback_category = None
    if coord_system not in dict(COORD_SYSTEMS):
        raise HotlineError("bad_coord_system", _("Unknown coordinate system."), field="coord_system")
    return do_start_import(job, mapping=clean, fallback_category=fallback_category, coord_system=coord_system)


def do_start_import(job, *, mapping, fallback_category, coord_system) -> ImportJob:
    from .tasks import import_hotline_job

    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != JobStatus.MAPPING:
            raise HotlineError("job_not_waiting", _("This import has already started."))
        locked.mapping, locked.fallback_category, locked.coord_system = mapping, fallback_category, coord_system
        locked.status = JobStatus.QUEUED
        locked.save(update_fields=["mapping", "fallback_category", "coord_system", "status"])
        # The source remembers it for next time.
        HotlineSource.objects.filter(pk=locked.source_id).update(
            mapping=mapping, headers=locked.headers, fallback_category=fallback_category, coord_system=coord_system
        )
        run_after_commit(import_hotline_job, locked.pk, long=True)
    return locked


# -- rows and progress (called by the import task) -------------------------------------------------------


def known_numbers(source_id, numbers) -> set[str]:
    """Which of these external numbers the source already has (one query per chunk)."""
    return set(
        HotlineOrder.objects.filter(source_id=source_id, external_number__in=list(numbers)).values_list(
            "external_number", flat=True
        )
    )


def _description(row) -> str:
    if row.due_at:
        note = _("12345 work order %(number)s, due %(due)s") % {
            "number": row.external_number, "due": timezone.localtime(row.due_at).strftime("%Y-%m-%d %H:%M")}
    else:
        note = _("12345 work order %(number)s") % {"number": row.external_number}
    return f"{row.description[: 2000 - len(note) - 2]}\n\n{note}"


def prepare_import_row(job, reader, number, values, known):
    """(CREATED, (OrderRow, ReportDraft)) for a row to file, (SKIPPED, None) for a number the
    source already has, (FAILED, RowProblem) for a bad row. Validates only: writes nothing."""
    external_number = reader.external_number(values)
    if external_number and external_number in known:
        reader.seen.setdefault(external_number, number)
        return SKIPPED, None
    try:
        row = reader.read(number, values)
        draft = prepare_report(
            job.created_by,
            category=row.category,
            description=_description(row),
            channel=Channel.HOTLINE,
            lat=row.lat,
            lng=row.lng,
            address=row.address[:200],
            reporter_name=row.caller_name,
            reporter_phone=row.phone,
            area_hint=row.area_hint,
        )
    except RowProblem as problem:
        return FAILED, problem
    except CaseError as error:
        return FAILED, RowProblem(error.code, error.message)
    return CREATED, (row, draft)


def do_import_rows(job, prepared) -> list:
    """File prepared rows (see prepare_import_row) in one savepoint: their cases in one batch
    (cases.do_report_many, no notice per case: the job shows the summary) and their
    HotlineOrders. All or none: the orders' unique constraint failing (another import of the
    source filed a number meanwhile) takes the new cases back with it."""
    if not prepared:
        return []
    with transaction.atomic():
        cases = do_report_many(job.created_by, [draft for _row, draft in prepared], notify=False)
        HotlineOrder.objects.bulk_create([
            HotlineOrder(
                source_id=job.source_id, job=job, case=case, external_number=row.external_number,
                row_number=row.number, values=row.values, received_at=row.received_at, due_at=row.due_at,
                caller_phone=row.caller_phone,
            )
            for (row, _draft), case in zip(prepared, cases, strict=True)
        ])
    return cases


def file_import_rows(job, prepared) -> tuple[int, int]:
    """(filed, skipped): the chunk's rows in one batch; if another import filed some of the
    numbers meanwhile, row by row, skipping those."""
    try:
        return len(do_import_rows(job, prepared)), 0
    except IntegrityError:
        filed = 0
        for item in prepared:
            try:
                do_import_rows(job, [item])
                filed += 1
            except IntegrityError:
                pass
        return filed, len(prepared) - filed


def do_record_progress(job, *, done, created, skipped, failed, errors):
    """Counters and the chunk's row errors, in the chunk's transaction."""
    from .models import ImportRowError

    ImportRowError.objects.bulk_create(errors)
    ImportJob.objects.filter(pk=job.pk).update(done=done, created=created, skipped=skipped, failed=failed)


def do_begin_job(job, total):
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, total=total, started_at=timezone.now())


def do_finish_job(job, *, error_file=None, status=JobStatus.DONE, message=""):
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if error_file is not None:
            locked.error_file.save(f"errors_{locked.pk}.xlsx", File(error_file), save=False)
        locked.status, locked.message, locked.finished_at = status, message[:500], timezone.now()
        if status == JobStatus.DONE:
            locked.total = locked.done
        locked.save()
    return locked
