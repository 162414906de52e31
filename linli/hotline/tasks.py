"""Celery tasks of the hotline exchange: reading an upload's header row, and the import."""

import threading

from celery import shared_task
from django.conf import settings
from django.db import close_old_connections, connections, transaction


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


def run_after_commit(task, job_id):
    """Run `task(job_id)` in the background once the current transaction commits: on a Celery
    worker when REDIS_URL is set; without Redis (the embedded default) in a thread of this
    process, so the clerk's page answers at once and polls like in production. A file is never
    parsed in the request. settings.HOTLINE_IMPORT_IN_THREAD = False runs it in the request
    instead (tests)."""
    if settings.CELERY_TASK_ALWAYS_EAGER and settings.HOTLINE_IMPORT_IN_THREAD:
        transaction.on_commit(lambda: threading.Thread(target=_run_in_thread, args=(task, job_id), daemon=True).start())
    else:
        transaction.on_commit(lambda: task.delay(job_id), robust=True)


def _run_in_thread(task, job_id):
    close_old_connections()
    try:
        task(job_id)
    finally:
        connections.close_all()
