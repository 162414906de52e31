"""Celery tasks of the hotline exchange."""

import threading

from celery import shared_task
from django.conf import settings
from django.db import close_old_connections, connections, transaction


@shared_task(name="hotline.import_job", ignore_result=True)
def import_hotline_job(job_id):
    """Import a mapped hotline file (see linli.hotline.importer); progress is on the job."""
    from .importer import run_import

    run_import(job_id)


def start_import_after_commit(job_id):
    """Run the import in the background once the job's start commits: on a Celery worker when
    REDIS_URL is set; without Redis (the embedded default) in a thread of this process, so the
    clerk's page answers at once and polls the progress like in production.
    settings.HOTLINE_IMPORT_IN_THREAD = False runs it in the request instead (tests)."""
    if settings.CELERY_TASK_ALWAYS_EAGER and settings.HOTLINE_IMPORT_IN_THREAD:
        transaction.on_commit(lambda: threading.Thread(target=_run_in_thread, args=(job_id,), daemon=True).start())
    else:
        transaction.on_commit(lambda: import_hotline_job.delay(job_id), robust=True)


def _run_in_thread(job_id):
    close_old_connections()
    try:
        import_hotline_job(job_id)
    finally:
        connections.close_all()
