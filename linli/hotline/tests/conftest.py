"""Hotline fixtures: the personas' street A with the case categories, and import helpers."""

import pytest
from openpyxl import load_workbook

from linli.hotline import actions
from linli.hotline.importer import run_import
from linli.hotline.models import ImportJob


@pytest.fixture
def uploaded(tree, personas, django_capture_on_commit_callbacks):
    """uploaded(data, name="orders.xlsx", user=street dispatcher, **where) → the ImportJob after its
    header row was read (status mapping, or failed with the reason), as the embedded default runs
    the reading task: after the upload's commit. `where`: area/source/source_name as check_upload."""

    def upload_file(data, name="orders.xlsx", user=None, **where):
        from linli.hotline.testing import upload

        if not where:
            where = {"area": tree.street_a, "source_name": "厦门市12345"}
        with django_capture_on_commit_callbacks(execute=True):
            job = actions.check_upload(user or personas.street_dispatcher, upload=upload(name, data), **where)
        return ImportJob.objects.select_related("source").get(pk=job.pk)

    return upload_file


@pytest.fixture
def hotline(tree, personas, categories, routing_rules, uploaded, django_capture_on_commit_callbacks):
    """import_file(data, name="orders.xlsx", user=street dispatcher, **start) → the finished ImportJob.

    Upload, accept the guessed mapping (overrides in `mapping`), and run the import as the
    embedded default does: eagerly, after the commit of the start."""

    def import_file(data, name="orders.xlsx", user=None, source_name="厦门市12345", mapping=None, **start):
        user = user or personas.street_dispatcher
        job = uploaded(data, name, user, area=tree.street_a, source_name=source_name)
        with django_capture_on_commit_callbacks(execute=True):
            actions.check_start_import(user, job, mapping={**job.mapping, **(mapping or {})}, **start)
        return ImportJob.objects.get(pk=job.pk)

    import_file.run = run_import
    return import_file


def read_xlsx(data_or_file):
    """All rows of the first sheet, as lists."""
    book = load_workbook(data_or_file, read_only=True)
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
