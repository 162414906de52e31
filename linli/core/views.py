"""The error pages: 404, 403, 500 and 503 (JSON under /api/)."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext

from .api import error_body, is_api_path, json_404, json_500
from .scoping import scope_for

def page_not_found(request, exception=None):
    """The project's own 404 page (JSON under /api/), also under DEBUG through
    linli.core.error_pages.FriendlyErrorPagesMiddleware."""
    if request.path.startswith("/api/"):
        return json_404(request, exception)
    # Staff read the terms of their trade (scope); a resident is told the page is not theirs.
    user = getattr(request, "user", None)
    staff = bool(user is not None and user.is_authenticated and not scope_for(user, "view").is_empty)
    return render(request, "404.html", {"request_path": request.path, "staff_words": staff}, status=404)


def permission_denied(request, exception=None):
    """handler403: a page one may not open answers the project's page with a way home."""
    if request.path.startswith("/api/"):
        from .api import permission_denied as json_403

        return json_403(request, exception)
    return render(request, "403.html", status=403)


DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10


def server_error(request):
    """handler500; an error of the database connection (down, restarting, refusing connections,
    SQLite busy) is not a bug but a short outage: 503 with Retry-After."""
    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        return service_unavailable(request)
    if _wants_json(request):
        return json_500(request)
    from django.views.defaults import server_error as default

    return default(request)


def _wants_json(request):
    return is_api_path(request) or request.path.startswith("/open311/") or (
        "application/json" in request.headers.get("Accept", ""))


def service_unavailable(request):
    """503 and Retry-After, JSON for API clients; the page is rendered without the database."""
    if _wants_json(request):
        response = JsonResponse(error_body("service_unavailable", gettext(
            "The service is briefly unavailable. Please try again in a moment.")), status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
