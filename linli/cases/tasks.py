"""Celery tasks of cases (beat schedule: settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import sla


@shared_task(name="cases.sweep_sla", ignore_result=True)
def sweep_sla():
    """Due-soon and overdue marks, reminders, escalation by policy (see linli.cases.sla)."""
    return sla.sweep().as_dict()
