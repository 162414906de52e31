"""API error bodies: always JSON with a stable `code` and a translated `message`."""

from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.views import exception_handler as drf_exception_handler


def error_body(code, message, errors=None):
    body = {"code": code, "message": str(message)}
    if errors:
        body["errors"] = errors
    return body


class ApiErrorSerializer(serializers.Serializer):
    """An error: a stable `code`, a translated `message` and, for invalid input, `errors` by field.

    (What `error_body` builds; describes the errors of the /api/v1/ endpoints in the OpenAPI schema.)
    """

    code = serializers.CharField(help_text='stable machine-readable code, e.g. "invalid", "not_found"')
    message = serializers.CharField(help_text="translated, for people")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text='messages by field name; only with code "invalid"',
    )


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("invalid", _("The request contains invalid data."), exc.detail)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if not isinstance(code, str):
            code = "error"
        response.data = error_body(code, detail)
    return response


def _wants_json(request):
    return request.path.startswith("/api/")


def json_404(request, exception=None):
    return JsonResponse(error_body("not_found", _("Not found.")), status=status.HTTP_404_NOT_FOUND)


def json_500(request):
    return JsonResponse(error_body("server_error", _("Something went wrong on our side.")), status=500)
