"""Hotline pages (office, desktop first): upload → map columns → progress → result, the list
of past imports, the error report and the export of results. Dispatchers only (cases.dispatch);
a job outside the user's scope answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from linli.cases.views import content_disposition

from . import actions, queries
from .choices import FIELDS, JobStatus
from .exports import XLSX, results_workbook
from .forms import ExportForm, MappingForm, UploadForm

POLL_SECONDS = 2


def _require_importer(user):
    scope = actions.importer_scope(user)
    if scope.is_empty:
        raise Http404
    return scope


@login_required
@require_http_methods(["GET", "POST"])
def index(request):
    """Upload a file, and the past imports."""
    _require_importer(request.user)
    sources = list(queries.sources_for(request.user))
    form = UploadForm(request.POST or None, request.FILES or None, sources=sources,
                      areas=queries.source_areas(request.user))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = actions.check_upload(request.user, upload=data["file"], area=data["area"] or None,
                                           source=data["source"] or None, source_name=data["source_name"])
            except actions.HotlineError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                job.refresh_from_db(fields=["status"])  # read already where the task ran in the request
                return redirect("hotline:mapping" if job.status == JobStatus.MAPPING else "hotline:job", job.pk)
    return render(request, "hotline/index.html", {
        "form": form, "jobs": queries.recent_jobs(request.user), "sources": sources,
        "export_form": ExportForm(initial={"date_from": timezone.localdate().replace(day=1),
                                           "date_to": timezone.localdate()}),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def mapping(request, pk):
    job = queries.get_job_for(request.user, pk)
    if job.status != JobStatus.MAPPING:
        return redirect("hotline:job", job.pk)
    initial = {**job.mapping, "fallback_category": job.fallback_category_id or "", "coord_system": job.coord_system}
    form = MappingForm(request.POST or None, headers=job.headers, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                actions.check_start_import(
                    request.user, job, mapping={k: v for k, v in form.mapping().items() if v},
                    fallback_category=form.cleaned_data["fallback_category"] or None,
                    coord_system=form.cleaned_data["coord_system"],
                )
            except actions.HotlineError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                return redirect("hotline:job", job.pk)
    fields = [(form[field.key], field) for field in FIELDS]
    return render(request, "hotline/mapping.html", {"job": job, "form": form, "fields": fields}, status=status)


def _job_context(job):
    return {"job": job, "errors": queries.first_errors(job) if job.failed else [], "poll": POLL_SECONDS}


@login_required
@require_GET
def job(request, pk):
    job = queries.get_job_for(request.user, pk)
    if job.status == JobStatus.MAPPING:
        return redirect("hotline:mapping", job.pk)
    return render(request, "hotline/job.html", _job_context(job))


@login_required
@require_GET
def progress(request, pk):
    """htmx: the progress card, polled while the file is read and while the import runs (it stops
    polling when done); once the header row is read, the page moves on to the mapping."""
    job = queries.get_job_for(request.user, pk)
    if job.status == JobStatus.MAPPING:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("hotline:mapping", args=[job.pk])
        return response
    return render(request, "hotline/_progress.html", _job_context(job))


@login_required
@require_GET
def errors(request, pk):
    job = queries.get_job_for(request.user, pk)
    if not job.error_file:
        raise Http404
    try:
        handle = job.error_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=XLSX)
    response["Content-Disposition"] = content_disposition(
        f"问题清单_{job.source.name}_{job.pk}.xlsx", f"hotline_errors_{job.pk}.xlsx")
    return response


def _xlsx_response(file, filename, fallback):
    response = FileResponse(file, content_type=XLSX)
    response["Content-Disposition"] = content_disposition(filename, fallback)
    return response


@login_required
@require_GET
def export_job(request, pk):
    job = queries.get_job_for(request.user, pk)
    if job.status != JobStatus.DONE:
        raise Http404
    file = results_workbook(queries.orders_of_job(job), job.headers)
    return _xlsx_response(file, f"办理结果_{job.source.name}_{job.pk}.xlsx", f"hotline_results_{job.pk}.xlsx")


@login_required
@require_GET
def export_source(request, pk):
    source = queries.get_source_for(request.user, pk)
    form = ExportForm(request.GET)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs)
                       or _("Choose the period to export."))
        return redirect("hotline:index")
    d = form.cleaned_data
    headers = source.headers or [f.label for f in FIELDS]
    file = results_workbook(queries.orders_of_source(source, d["date_from"], d["date_to"]), headers)
    span = f"{d['date_from'].isoformat()}_{d['date_to'].isoformat()}"
    return _xlsx_response(file, f"办理结果_{source.name}_{span}.xlsx", f"hotline_results_{source.pk}_{span}.xlsx")


