"""Query strings with a NUL character are refused before any view.

PostgreSQL cannot hold NUL in a text value: a `?area=%00x` that reaches a filter, a
`request.GET` lookup or a page's search raises in the database driver (a 500). Every
query parameter of every view reaches SQL some way, and none has a use for NUL, so one
check here covers them all (and the ones added later) instead of one per filter field:
400 with the API's JSON body under /api/, the project's friendly 400 page elsewhere.
"""

from django.core.exceptions import BadRequest
from django.shortcuts import render

from .api import bad_request, is_api_path

NUL = "\x00"


def has_nul(query):
    return any(NUL in key or any(NUL in value for value in values) for key, values in query.lists())


class RefuseNulQueryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_nul(request.GET):
            if is_api_path(request):
                return bad_request(request, BadRequest("NUL character in the query string"))
            # Rendered with the request (Django's handler400 renders without it): the page has the menu.
            return render(request, "400.html", status=400)
        return self.get_response(request)
