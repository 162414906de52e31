"""One HTTP POST with the standard library: short timeout, no redirects, guarded addresses.

http.client follows no redirects, so a 3xx counts as a failure like any non-2xx (the
receiver must give its final URL). No proxy from the environment is used.
"""

from __future__ import annotations

import http.client
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from .addresses import AddressNotAllowed, guarded_create_connection

BODY_EXCERPT_BYTES = 1024


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status: int | None = None
    body: str = ""
    error: str = ""
    duration_ms: int = 0


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = guarded_create_connection


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = guarded_create_connection


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Outcome:
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    if parts.scheme == "https":
        connection = _GuardedHTTPSConnection(
            parts.hostname, parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = _GuardedHTTPConnection(parts.hostname, parts.port, timeout=timeout)
    started = time.monotonic()
    try:
        connection.request("POST", path, body=body, headers={**headers, "Content-Length": str(len(body))})
        response = connection.getresponse()
        excerpt = response.read(BODY_EXCERPT_BYTES).decode("utf-8", errors="replace")
        status = response.status
    except AddressNotAllowed as error:
        return Outcome(False, error=str(error), duration_ms=_ms(started))
    except TimeoutError:
        return Outcome(False, error=f"timed out after {timeout:g} s", duration_ms=_ms(started))
    except (OSError, http.client.HTTPException, ValueError) as error:
        return Outcome(False, error=f"{type(error).__name__}: {error}", duration_ms=_ms(started))
    finally:
        connection.close()
    ok = 200 <= status < 300
    error = "" if ok else f"HTTP {status}" + (" (redirects are not followed)" if 300 <= status < 400 else "")
    return Outcome(ok, status=status, body=excerpt, error=error, duration_ms=_ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
