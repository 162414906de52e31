"""Reads of the hotline exchange, scoped: only dispatchers (cases.dispatch) over a job's
area see it; anything else answers 404."""

from __future__ import annotations

from datetime import datetime, time

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from linli.places.queries import areas_in

from .actions import SOURCE_LEVELS, importer_scope
from .models import HotlineOrder, HotlineSource, ImportJob, ImportRowError

JOB_LIST_FIELDS = ("source__name", "area__name", "created_by__name")


def jobs_for(user):
    """Imports the user may see, newest first."""
    return importer_scope(user).filter(ImportJob.objects.all(), area_path="area__path").order_by("-id")


def get_job_for(user, pk) -> ImportJob:
    try:
        return jobs_for(user).select_related("source", "area", "created_by", "fallback_category").get(pk=int(pk))
    except (ImportJob.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def recent_jobs(user, limit=50):
    return list(jobs_for(user).select_related("source", "area", "created_by")[:limit])


def sources_for(user):
    return importer_scope(user).filter(HotlineSource.objects.all(), area_path="area__path").select_related("area").order_by("name")


def get_source_for(user, pk) -> HotlineSource:
    try:
        return sources_for(user).get(pk=int(pk))
    except (HotlineSource.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def source_areas(user, limit=1000):
    """Areas a new source can belong to: districts, streets and communities in scope."""
    return list(
        areas_in(importer_scope(user)).filter(level__in=SOURCE_LEVELS).order_by("path").only("code", "name", "depth", "level")[:limit]
    )


def first_errors(job, limit=50):
    return list(ImportRowError.objects.filter(job=job).order_by("row_number")[:limit])


def orders_of_job(job):
    return HotlineOrder.objects.filter(job=job)


def orders_of_source(source, date_from, date_to):
    """Work orders received (or, without a received time, imported) in [date_from, date_to]."""
    start = timezone.make_aware(datetime.combine(date_from, time.min))
    end = timezone.make_aware(datetime.combine(date_to, time.max))
    return HotlineOrder.objects.filter(source=source).filter(
        Q(received_at__range=(start, end)) | Q(received_at__isnull=True, created_at__range=(start, end))
    )

