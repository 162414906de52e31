"""Idempotent intake: a request that carries an `Idempotency-Key` header (or, from a page, the
hidden form field `idempotency_key`) is carried out once per client and key; a retry with the same
key and the same body gets the first answer again (header `Idempotent-Replayed: true`), the same key
with another body answers 422 `idempotency_key_reused` (the IETF httpapi draft's semantics). Keys
are kept KEEP_HOURS.

A phone on a weak network resends a report whose answer it never received; a double tap sends a
form twice. The record is written in the same transaction as what the request created: a second
request with the key waits on the first one's row (PostgreSQL's unique index; SQLite writes one at
a time), then finds its answer. A request that fails (an error, a 4xx page) leaves no record, so
the client may fix it and send it again with the same key.

    run_once(request, owner, fields, files, run)   # in a view: run() -> the response
    @idempotent_form                               # a page's POST view (owner: the user)
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from datetime import timedelta

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .api import error_body
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
KEEP_HOURS = 24
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, as HTTP header values are
IGNORED_FIELDS = {"csrfmiddlewaretoken", FORM_FIELD}
REPLAYED = "Idempotent-Replayed"


class BadKey(Exception):
    pass


def key_of(request):
    """The request's key (None without one); BadKey for one that cannot be a key."""
    key = request.headers.get(HEADER)
    if key is None and request.method == "POST" and request.content_type in (
            "multipart/form-data", "application/x-www-form-urlencoded"):
        key = request.POST.get(FORM_FIELD)
    if key is None or key == "":
        return None
    if not KEY_PATTERN.fullmatch(key):
        raise BadKey
    return key


def _file_digest(upload):
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def fingerprint(request, fields, files) -> str:
    """The request's method, path and body, parsed: a browser or client that sends the same form
    again picks a new multipart boundary, so the raw bytes would differ."""
    if hasattr(fields, "lists"):
        fields = {name: values for name, values in fields.lists() if name not in IGNORED_FIELDS}
    elif isinstance(fields, dict):
        fields = {name: value for name, value in fields.items() if name not in IGNORED_FIELDS}
    uploads = sorted(
        (name, upload.name, upload.size, _file_digest(upload))
        for name, items in (files.lists() if files else ())
        for upload in items
    )
    canonical = json.dumps([request.method, request.path, fields, uploads], sort_keys=True, default=str,
                           ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _bad_key_response():
    return JsonResponse(error_body("invalid_idempotency_key", _(
        "The Idempotency-Key must be 1 to 255 visible ASCII characters.")), status=400)


def _reused_response():
    return JsonResponse(error_body("idempotency_key_reused", _(
        "This Idempotency-Key was already used for a different request. Use a new key for a new request.")),
        status=422)


def _replay(record):
    if record.data is not None:
        from rest_framework.response import Response

        response = Response(record.data, status=record.status)
    elif record.status in (301, 302, 303, 307, 308):
        response = HttpResponseRedirect(record.location, status=record.status)
    else:
        response = HttpResponse(record.content, status=record.status, content_type=record.content_type or None)
    if record.location and record.data is not None:
        response["Location"] = record.location
    response[REPLAYED] = "true"
    return response


def _keep(record, response):
    """Fill the record from a successful answer; False when it cannot be replayed."""
    from rest_framework.response import Response

    record.status = response.status_code
    record.location = response.get("Location", "")[:500]
    if isinstance(response, Response):
        record.data = json.loads(json.dumps(response.data, default=str))
    elif isinstance(response, HttpResponseRedirect):
        pass
    elif not getattr(response, "streaming", False):
        record.content = response.content.decode("utf-8", "replace")
        record.content_type = response.get("Content-Type", "")[:100]
    else:
        return False
    return True


def succeeded(response) -> bool:
    return 200 <= response.status_code < 400


def redirected(response) -> bool:
    """A page's form succeeded (it redirects; a form shown again, even with 200, did not)."""
    return 300 <= response.status_code < 400


def run_once(request, owner, fields, files, run, kept=succeeded):
    """`run()` once per (owner, key); see the module's text. Without a key it just runs. Answers
    for which `kept(response)` is false leave no record."""
    try:
        key = key_of(request)
    except BadKey:
        return _bad_key_response()
    if key is None:
        return run()
    owner = str(owner)[:80]
    print_ = fingerprint(request, fields, files)
    with transaction.atomic():
        stale = timezone.now() - timedelta(hours=KEEP_HOURS)
        IdempotencyRecord.objects.filter(owner=owner, key=key, created_at__lt=stale).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(owner=owner, key=key, fingerprint=print_, status=0)
        except IntegrityError:
            # Another request with this key committed first (we waited for it on the unique index).
            earlier = IdempotencyRecord.objects.get(owner=owner, key=key)
            return _replay(earlier) if earlier.fingerprint == print_ else _reused_response()
        response = run()
        if kept(response) and _keep(record, response):
            record.save(update_fields=["status", "data", "content", "content_type", "location"])
        else:
            record.delete()  # a failed request may be sent again, fixed, with the same key
    return response


def idempotent_form(view):
    """A page's POST view, once per form: the form carries a fresh key in a hidden field
    ({% idempotency_field %}). A replayed form whose content changed is sent back to a new form."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST" or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        try:
            key_of(request)
        except BadKey:  # a hand-made field: start again on a fresh form
            return HttpResponseRedirect(request.get_full_path())
        response = run_once(request, f"user:{request.user.pk}", request.POST, request.FILES,
                            lambda: view(request, *args, **kwargs), kept=redirected)
        if response.status_code == 422:
            messages.warning(request, _("That form was already sent. Fill in this new one to send something else."))
            return HttpResponseRedirect(request.get_full_path())
        return response

    return wrapper


def purge() -> int:
    """Drop records older than KEEP_HOURS (run hourly by Celery beat)."""
    deleted, _rows = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - timedelta(hours=KEEP_HOURS)).delete()
    return deleted
