"""Compressed answers: pages, API bodies and exports in text go out gzipped.

Static files never reach this middleware: whitenoise (outside it) serves them from the Brotli
and gzip copies `collectstatic` wrote. Django's GZipMiddleware pads each body with random bytes
("Heal The Breach"), and CSRF tokens are masked anew in each response, which is why pages that
carry a secret in their body (a revealed phone number, a pickup code) may still be compressed.
"""

import re

from django.middleware.gzip import GZipMiddleware

# Photos, PDFs and spreadsheets are compressed already: gzipping them costs CPU and saves nothing.
COMPRESSIBLE = re.compile(
    r"^(text/|image/svg\+xml|application/(json|javascript|xml|(x-)?yaml|vnd\.oai\.openapi\b|[\w.-]+\+(json|xml|yaml)))",
    re.I)


class CompressTextMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if not COMPRESSIBLE.match(response.get("Content-Type", "")):
            return response
        return super().process_response(request, response)
