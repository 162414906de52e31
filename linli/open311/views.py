"""Open311 GeoReport v2 at /open311/v2/, and the screening page for held requests.

    GET  discovery.{json,xml}
    GET  services.{json,xml}                    [jurisdiction_id]
    GET  services/{service_code}.{json,xml}     [jurisdiction_id]
    POST requests.{json,xml}                    api_key, service_code, location, attribute[...], ...
    GET  requests.{json,xml}                    [service_request_id, service_code, start_date, end_date, status]
    GET  requests/{service_request_id}.{json,xml}
    GET  tokens/{token}.{json,xml}

Every error is the spec's error list in the requested format: 404 unknown resource, 403
missing or bad api_key, 429 past the key's rate (with Retry-After), 400 anything else.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, QueryDict, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from linli.accounts.models import mask_phone
from linli.cases.choices import FINISHED_STATUSES, OPEN_STATUSES
from linli.cases.errors import CaseError
from linli.core.idempotency import run_once

from . import actions, keys, queries, render as fmt_render
from .choices import DEFAULT_WINDOW_DAYS, FORMATS, MAX_WINDOW_DAYS, SPECIFICATION_URL
from .errors import Open311Error
from .models import ServiceRequest

PATH = re.compile(r"^(?P<resource>discovery|services|requests|tokens)(?:/(?P<ident>[A-Za-z0-9_-]{1,64}))?$")
# Which resource takes an identifier, and the methods of each form.
METHODS = {
    ("discovery", False): ("GET",),
    ("services", False): ("GET",),
    ("services", True): ("GET",),
    ("requests", False): ("GET", "POST"),
    ("requests", True): ("GET",),
    ("tokens", True): ("GET",),
}
MAX_IDS = 100


def max_results():
    return getattr(settings, "OPEN311_MAX_REQUESTS", 1000)


def _without_nul(data) -> QueryDict:
    """A copy without NUL characters (PostgreSQL refuses them in text)."""
    clean = QueryDict(mutable=True)
    for key, values in data.lists():
        clean.setlist(key.replace("\x00", ""), [str(value).replace("\x00", "") for value in values])
    return clean


def _parse_path(path):
    """(resource, identifier or None, format); Open311Error 404 for an unknown path, 400 for a bad format."""
    stem, dot, extension = path.rpartition(".")
    if not dot:
        stem, extension = path, ""
    match = PATH.match(stem)
    fmt = extension.lower() if extension.lower() in FORMATS else "json"
    if match is None or (match["resource"], bool(match["ident"])) not in METHODS:
        raise Open311Error(404, _("There is no such resource."), fmt=fmt)
    if extension.lower() not in FORMATS:
        raise Open311Error(400, _("Add .json or .xml to the path to choose the format."), fmt=fmt)
    return match["resource"], match["ident"], fmt


@csrf_exempt
def endpoint(request, path):
    fmt = "json"
    try:
        resource, ident, fmt = _parse_path(path)
        allowed = METHODS[(resource, bool(ident))]
        if request.method not in allowed:
            raise Open311Error(405, _("This method is not allowed here."), headers={"Allow": ", ".join(allowed)})
        query = _without_nul(request.GET)
        try:
            body = _without_nul(request.POST) if request.method == "POST" else QueryDict()
            files = request.FILES.getlist("media") if request.method == "POST" else []
        except (RequestDataTooBig, UnreadablePostError, MultiPartParserError, SuspiciousOperation, BadRequest):
            raise Open311Error(400, _("The request body could not be read.")) from None
        params = body if request.method == "POST" else query
        handler = HANDLERS[(resource, bool(ident), request.method)]
        return handler(request, fmt, ident, params, query, files)
    except Open311Error as error:
        return fmt_render.error_response(error.fmt or fmt, error)
    except CaseError as error:
        return fmt_render.error_response(fmt, Open311Error(400, error.message))
    except Http404:
        return fmt_render.error_response(fmt, Open311Error(404, _("There is no such resource.")))


def _jurisdiction(params, query):
    return queries.jurisdiction_for(params.get("jurisdiction_id") or query.get("jurisdiction_id"))


def _optional_key(query):
    """GET: a key is optional; a given one must be valid and counts against its rate."""
    if query.get("api_key"):
        keys.count_request(keys.key_for(query.get("api_key")))


# -- handlers ----------------------------------------------------------------------------------------


def discovery(request, fmt, ident, params, query, files):
    changeset = getattr(settings, "OPEN311_CHANGESET", "2026-11-23T00:00:00+08:00")
    body = {
        "changeset": changeset,
        "contact": getattr(settings, "OPEN311_CONTACT", "") or _("Contact the street office's command center."),
        "key_service": getattr(settings, "OPEN311_KEY_SERVICE", "")
        or _("Organizations get an api_key from the system administrator of this deployment."),
        "endpoints": [{
            "specification": SPECIFICATION_URL,
            "url": request.build_absolute_uri(reverse("open311:root")).rstrip("/"),
            "changeset": changeset,
            "type": "production",
            "formats": list(FORMATS.values()),
        }],
    }
    return fmt_render.respond(fmt, "discovery", body)


def service_list(request, fmt, ident, params, query, files):
    _optional_key(query)
    _jurisdiction(params, query)  # services are the same everywhere; the id must still be valid
    with_attributes = queries.categories_with_attributes()
    body = [fmt_render.service_body(found, with_attributes) for found in queries.services()]
    return fmt_render.respond(fmt, "services", body)


def service_definition(request, fmt, ident, params, query, files):
    _optional_key(query)
    _jurisdiction(params, query)
    category = queries.service(ident)
    if category is None:
        raise Open311Error(404, _("No service with this service_code."))
    body = fmt_render.definition_body(category, queries.attributes_of(category))
    return fmt_render.respond(fmt, "service_definition", body)


def create_request(request, fmt, ident, params, query, files):
    key = keys.key_for(params.get("api_key") or query.get("api_key"))
    keys.count_request(key)
    jurisdiction = _jurisdiction(params, query)

    def submit():
        row = actions.check_submit_request(key, jurisdiction, params, files)
        status = 201 if row.case_id else 202
        return fmt_render.respond(fmt, "service_requests", fmt_render.submitted_body(row), status=status)

    # A partner system that resends with its Idempotency-Key files the request once.
    return run_once(request, f"open311:{key.pk}", params, files, submit)


def _moment(value, name):
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(400, _("%(name)s is not an ISO 8601 date and time.") % {"name": name})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _listed(value, name, allowed=None):
    items = [item.strip() for item in (value or "").split(",") if item.strip()]
    if allowed is not None and any(item not in allowed for item in items):
        raise Open311Error(400, _("%(name)s takes one of: %(values)s.") % {"name": name, "values": ", ".join(allowed)})
    return items


def request_list(request, fmt, ident, params, query, files):
    _optional_key(query)
    cases = queries.public_requests(_jurisdiction(params, query))
    ids = _listed(query.get("service_request_id"), "service_request_id")
    if ids:  # the spec: ids override every other parameter
        if len(ids) > MAX_IDS:
            raise Open311Error(400, _("At most %(n)d service_request_id values.") % {"n": MAX_IDS})
        cases = cases.filter(number__in=ids)
    else:
        codes = _listed(query.get("service_code"), "service_code")
        statuses = _listed(query.get("status"), "status", ("open", "closed"))
        start, end = _moment(query.get("start_date"), "start_date"), _moment(query.get("end_date"), "end_date")
        try:
            end = end or (start + timedelta(days=DEFAULT_WINDOW_DAYS) if start else timezone.now())
            start = start or end - timedelta(days=DEFAULT_WINDOW_DAYS)
        except OverflowError:  # e.g. start_date in the year 9999
            raise Open311Error(400, _("start_date or end_date is out of range.")) from None
        if start > end:
            raise Open311Error(400, _("start_date is after end_date."))
        if end - start > timedelta(days=MAX_WINDOW_DAYS):
            raise Open311Error(
                400, _("start_date and end_date may be at most %(n)d days apart.") % {"n": MAX_WINDOW_DAYS})
        cases = cases.filter(created_at__gte=start, created_at__lte=end)
        if codes:
            cases = cases.filter(category__code__in=codes)
        if statuses and set(statuses) != {"open", "closed"}:
            wanted = OPEN_STATUSES if statuses[0] == "open" else FINISHED_STATUSES
            cases = cases.filter(status__in=list(wanted))
    body = [fmt_render.request_body(case, request) for case in cases.order_by("-id")[: max_results()]]
    return fmt_render.respond(fmt, "service_requests", body)


def request_detail(request, fmt, ident, params, query, files):
    _optional_key(query)
    case = queries.public_requests(_jurisdiction(params, query)).filter(number=ident).first()
    if case is None:
        raise Open311Error(404, _("No service request with this service_request_id."))
    return fmt_render.respond(fmt, "service_requests", [fmt_render.request_body(case, request)])


def token_detail(request, fmt, ident, params, query, files):
    _optional_key(query)
    jurisdiction = _jurisdiction(params, query)
    rows = ServiceRequest.objects.select_related("case").filter(token=ident)
    if jurisdiction is not None:
        rows = rows.filter(jurisdiction=jurisdiction)
    row = rows.first()
    if row is None:
        raise Open311Error(404, _("No request with this token."))
    return fmt_render.respond(fmt, "service_requests", fmt_render.token_body(row))


HANDLERS = {
    ("discovery", False, "GET"): discovery,
    ("services", False, "GET"): service_list,
    ("services", True, "GET"): service_definition,
    ("requests", False, "GET"): request_list,
    ("requests", False, "POST"): create_request,
    ("requests", True, "GET"): request_detail,
    ("tokens", True, "GET"): token_detail,
}


# -- screening (server-rendered, for dispatchers) ------------------------------------------------------


@login_required
def screening(request):
    rows = list(queries.held_for(request.user).order_by("id")[:200])
    attributes = {}
    for row in rows:
        row.masked_phone = mask_phone(row.phone)
        if row.category_id not in attributes:
            attributes[row.category_id] = {a.code: a for a in queries.attributes_of(row.category)}
        row.answer_lines = [
            (getattr(attributes[row.category_id].get(code), "description", code),
             "、".join(map(str, answer)) if isinstance(answer, list) else answer)
            for code, answer in row.answers.items()
        ]
    return render(request, "open311/screening.html", {"rows": rows})


def _decide(request, pk, decide):
    row = get_object_or_404(queries.held_for(request.user), pk=pk)
    try:
        decide(row)
    except (Open311Error, CaseError) as error:
        messages.error(request, getattr(error, "description", None) or getattr(error, "message", str(error)))
    return redirect("open311:screening")


@login_required
@require_POST
def release(request, pk):
    def decide(row):
        filed = actions.check_release(request.user, row)
        messages.success(request, _("Filed as case %(number)s.") % {"number": filed.case.number})

    return _decide(request, pk, decide)


@login_required
@require_POST
def reject(request, pk):
    def decide(row):
        actions.check_reject(request.user, row, request.POST.get("reason", ""))
        messages.success(request, _("The request was rejected."))

    return _decide(request, pk, decide)
