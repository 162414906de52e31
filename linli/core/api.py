"""API error bodies: always JSON `{"code", "message", "fields"?}`, whatever went wrong.

    code      stable, machine-readable ("invalid", "not_found", "rate_limited", ...)
    message   translated for people (Chinese by default, English with Accept-Language: en)
    fields    only for invalid input: field name → list of translated messages; a nested
              field is named by its path ("reporter.phone"), errors of the whole body are
              under "non_field_errors"

DRF's exceptions come through `exception_handler`; what happens before or outside DRF
(unknown paths, CSRF failures, Django's own 400s, server errors) through the views at the
end, which config.urls / settings route to for paths under /api/.
"""

import math

from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _, ngettext
from django.views import defaults
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, pagination, serializers, status
from rest_framework.views import exception_handler as drf_exception_handler

API_PREFIX = "/api/"
NON_FIELD = "non_field_errors"


def error_body(code, message, fields=None):
    body = {"code": code, "message": str(message)}
    if fields:
        body["fields"] = fields
    return body


class ApiErrorSerializer(serializers.Serializer):
    """An error: a stable `code`, a translated `message` and, for invalid input, `fields`.

    (What `error_body` builds; describes every API error in the OpenAPI schema.)
    """

    code = serializers.CharField(help_text='stable machine-readable code, e.g. "invalid", "not_found", "rate_limited"')
    message = serializers.CharField(help_text="translated, for people")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text='translated messages by field name ("reporter.phone" for a nested one, "non_field_errors" for '
        "the whole body); only for invalid input",
    )


# For extend_schema of a rate-limited operation: responses={429: RATE_LIMITED}, parameters=[RETRY_AFTER].
RATE_LIMITED = OpenApiResponse(
    ApiErrorSerializer, description="`rate_limited`: over the request budget; retry after `Retry-After` seconds"
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After", OpenApiTypes.INT, OpenApiParameter.HEADER, response=[429],
    description="seconds until the budget is whole again",
)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="Optional, 1–255 visible ASCII characters (a UUID is a good key). A retry with the same key "
    "and body answers the first result again (header `Idempotent-Replayed: true`) instead of creating a "
    "second object; the same key with another body answers 422. Keys are kept 24 hours.",
)
IDEMPOTENCY_REUSED = OpenApiResponse(
    ApiErrorSerializer, description="`idempotency_key_reused`: the key was already used for a different body"
)


def field_messages(detail):
    """DRF's error detail (dicts and lists nested any way) as {field path: [messages]}.

    A nested object's field is named by its path ("reporter.phone"); positions in a list
    are dropped, so a bad photo is reported on "photos", where a form shows it."""
    flat = {}

    def walk(value, path):
        if isinstance(value, dict):
            for key, child in value.items():
                walk(child, path if isinstance(key, int) else f"{path}.{key}" if path else str(key))
        elif isinstance(value, (list, tuple)):
            for child in value:
                walk(child, path)
        elif value is not None and str(value):
            messages = flat.setdefault(path or NON_FIELD, [])
            if str(value) not in messages:
                messages.append(str(value))

    walk(detail, "")
    return flat


def retry_after_seconds(wait):
    return max(1, math.ceil(wait or 0))


def rate_limited_message(seconds):
    return ngettext(
        "Too many requests. Please try again in %(seconds)d second.",
        "Too many requests. Please try again in %(seconds)d seconds.",
        seconds,
    ) % {"seconds": seconds}


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD: exc.messages})
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's handler500 (server_error below) answers
    if isinstance(exc, exceptions.ValidationError):
        fields = field_messages(exc.detail) or {NON_FIELD: [_("The request contains invalid data.")]}
        response.data = error_body("invalid", _("The request contains invalid data."), fields)
    elif isinstance(exc, exceptions.ParseError):
        # DRF's own text carries the parser's (English, technical) complaint.
        response.data = error_body("parse_error", _("The request body could not be read. Send well-formed JSON."))
    elif isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF Failed"):
        response.data = error_body("csrf_failed", _("The CSRF check failed. Reload the page and try again."))
    elif isinstance(exc, exceptions.Throttled):
        seconds = retry_after_seconds(exc.wait)
        response["Retry-After"] = str(seconds)
        response.data = error_body("rate_limited", rate_limited_message(seconds))
    else:
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        if not isinstance(code, str) or not isinstance(detail, str):
            code, detail = (code if isinstance(code, str) else "error"), exc.default_detail
        response.data = error_body(code, detail)
    return response


class TimelineEntrySerializer(serializers.Serializer):
    """One entry of a timeline (core.models.TimelineEvent), as every workflow's API shows it; an
    app's serializer adds what its timeline shows beside (who may see the actor, photos)."""

    action = serializers.CharField()
    action_label = serializers.CharField(source="get_action_display")
    # "" where there is no status: before the first, or for an event that changes none.
    from_status = serializers.CharField(allow_blank=True)
    to_status = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)
    data = serializers.DictField()
    created_at = serializers.DateTimeField()


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF's, with a page that does not exist as invalid input (400 with `fields`), not a 404:
    the list exists, the parameter is wrong."""

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound as missing:
            raise exceptions.ValidationError({self.page_query_param: [missing.detail]}) from None


def is_api_path(request):
    return request.path.startswith(API_PREFIX)


@csrf_exempt  # an unknown path answers 404 whatever the method, not a CSRF page
def json_404(request, exception=None):
    return JsonResponse(error_body("not_found", _("Not found.")), status=status.HTTP_404_NOT_FOUND)


def json_500(request):
    return JsonResponse(error_body("server_error", _("Something went wrong on our side.")), status=500)


def bad_request(request, exception=None):
    """handler400: Django refuses a request before any view (too many fields, an oversize
    upload, a bad host): JSON under /api/, Django's page elsewhere."""
    if is_api_path(request):
        return JsonResponse(
            error_body("bad_request", _("The request could not be read.")), status=status.HTTP_400_BAD_REQUEST
        )
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    """handler403 for views outside DRF."""
    if is_api_path(request):
        return JsonResponse(
            error_body("permission_denied", _("You do not have permission to perform this action.")),
            status=status.HTTP_403_FORBIDDEN,
        )
    return defaults.permission_denied(request, exception)


def csrf_failure(request, reason=""):
    """settings.CSRF_FAILURE_VIEW: a session-signed API call without its CSRF token."""
    if is_api_path(request):
        return JsonResponse(
            error_body("csrf_failed", _("The CSRF check failed. Reload the page and try again.")),
            status=status.HTTP_403_FORBIDDEN,
        )
    return django_csrf_failure(request, reason)


class ActionErrorsMixin:
    """For DRF views that call actions: an action's error (core.errors.ActionError) is the
    API's JSON error body with status 400."""

    def handle_exception(self, exc):
        from rest_framework.response import Response

        from .errors import ActionError

        if isinstance(exc, ActionError):
            return Response(exc.as_body(), status=exc.http_status)
        return super().handle_exception(exc)


def error_responses(not_found="no such object, or outside your role or scope"):
    """The error responses of an API built on actions, for extend_schema: 400, 401, 404."""
    from drf_spectacular.utils import OpenApiResponse

    return {
        400: OpenApiResponse(ApiErrorSerializer, description="invalid input: `code`, `message`, `fields` by field"),
        401: OpenApiResponse(ApiErrorSerializer, description="not signed in"),
        404: OpenApiResponse(ApiErrorSerializer, description=not_found),
    }
