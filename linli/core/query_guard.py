"""Paths and query strings with a NUL character are refused before any view.

PostgreSQL cannot hold NUL in a text value: a `?area=%00x` that reaches a filter, a
`request.GET` lookup or a page's search raises in the database driver (a 500). Every
query parameter of every view reaches SQL some way or may tomorrow, and none has a use for
NUL, so one check here covers them all instead of one per filter field or view. The answer
speaks the dialect of the path: the API's `invalid` body naming the parameters (or `path`) under /api/,
the Open311 error list under /open311/, the project's friendly 400 page elsewhere.
A NUL in a path segment (`/places/%00/`) is refused the same way, for every route, the admin's
included: a URL converter or a view's lookup would otherwise take it to the database.
(Bodies need no such check: form and serializer text fields already refuse NUL.)
"""

from django.core.validators import ProhibitNullCharactersValidator
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .api import NON_FIELD, error_body, is_api_path

NUL = "\x00"
# Paths whose clients read another error format (Open311's JSON or XML), registered by their app:
# prefix → render(request, message) -> response with status 400.
_ERROR_RENDERERS: dict = {}


def register_error_renderer(prefix: str, render_error) -> None:
    _ERROR_RENDERERS[prefix] = render_error


def nul_parameters(query):
    """Names of the query parameters holding a NUL (in the name or a value)."""
    return [key for key, values in query.lists() if NUL in key or any(NUL in value for value in values)]


class RefuseNulQueryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        names = nul_parameters(request.GET)
        if NUL in request.path_info:
            names.insert(0, "path")
        if not names:
            return self.get_response(request)
        message = str(ProhibitNullCharactersValidator.message)  # Django's own words, translated
        if is_api_path(request):
            fields = {(NON_FIELD if NUL in name else name): [message] for name in names}  # "path" for the path
            return JsonResponse(error_body("invalid", _("The request contains invalid data."), fields), status=400)
        for prefix, render_error in _ERROR_RENDERERS.items():
            if request.path.startswith(prefix):
                return render_error(request, message)
        # Rendered with the request (Django's handler400 renders without it): the page has the menu.
        return render(request, "400.html", status=400)
