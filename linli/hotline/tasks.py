"""Celery tasks of the hotline exchange: reading an upload's header row, and the import."""

from celery import shared_task


@shared_task(name="hotline.read_headers", ignore_result=True)
def read_hotline_headers(job_id):
    """Open an uploaded file and propose its column mapping (see linli.hotline.importer)."""
    from .importer import read_headers

    read_headers(job_id)


@shared_task(name="hotline.import_job", ignore_result=True)
def import_hotline_job(job_id):
    """Import a mapped hotline file (see linli.hotline.importer); progress is on the job."""
    from .importer import run_import

    run_import(job_id)
