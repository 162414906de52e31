"""WSGI app for `bench/intake.py` (the "lean" run): the project's application plus one
extra endpoint, POST /bench/lean-intake/, that does what POST /api/cases/ does minus
its 201 body: bearer-token authentication, JSON parsing, `cases.actions.check_report`,
and a small answer built from the case in memory ({"number", "status"}).

It measures what the intake would cost with the suggested lighter response (see
bench/README.md); it is served only by the benchmark's own gunicorn, never by config.
"""

import json

from django.core.wsgi import get_wsgi_application

django_application = get_wsgi_application()

from django.core.handlers.wsgi import WSGIRequest  # noqa: E402
from django.db import close_old_connections  # noqa: E402

from linli.accounts.authentication import BearerTokenAuthentication  # noqa: E402
from linli.cases import actions  # noqa: E402
from linli.cases.errors import CaseError  # noqa: E402

PATH = "/bench/lean-intake/"
FIELDS = ("category", "description", "channel", "lat", "lng", "address")


def _answer(start_response, status, body):
    data = json.dumps(body, ensure_ascii=False).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def application(environ, start_response):
    if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST":
        return django_application(environ, start_response)
    close_old_connections()
    try:
        request = WSGIRequest(environ)
        found = BearerTokenAuthentication().authenticate(request)
        if found is None:
            return _answer(start_response, "401 Unauthorized", {"code": "not_authenticated"})
        data = json.loads(request.body)
        case = actions.check_report(found[0], **{name: data[name] for name in FIELDS if name in data})
        return _answer(start_response, "201 Created", {"number": case.number, "status": case.status})
    except CaseError as error:
        return _answer(start_response, "400 Bad Request", error.as_body())
    finally:
        close_old_connections()
