"""Scheduled points work (beat schedule: settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from .actions import expire_points as run_expiry


@shared_task(name="points.expire", ignore_result=True)
def expire_points():
    return run_expiry()
