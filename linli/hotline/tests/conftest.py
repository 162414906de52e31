"""Hotline fixtures: the personas' street A with the case categories, and import helpers."""

import pytest
from openpyxl import load_workbook

from linli.hotline import actions
from linli.hotline.importer import run_import
from linli.hotline.models import ImportJob


@pytest.fixture
def hotline(tree, personas, categories, routing_rules, django_capture_on_commit_callbacks):
    """import_file(data, name="orders.xlsx", user=street dispatcher, **start) → the finished ImportJob.

    Upload, accept the guessed mapping (overrides in `mapping`), and run the import as the
    embedded default does: eagerly, after the commit of the start."""

    def import_file(data, name="orders.xlsx", user=None, source_name="厦门市12345", mapping=None, **start):
        from linli.hotline.testing import upload

        user = user or personas.street_dispatcher
        job = actions.check_upload(user, upload=upload(name, data), area=tree.street_a, source_name=source_name)
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
