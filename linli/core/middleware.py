"""Request id: taken from the proxy's X-Request-ID (nginx `$request_id`) or made here, put
on the response and in every log record of the request (linli.core.logging)."""

import re
import uuid

from .logging import request_id_var

HEADER = "X-Request-ID"
# A proxy's id is trusted only if it looks like one: it ends up in logs and a response header.
VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(HEADER, "")
        request_id = incoming if VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[HEADER] = request_id
        return response
