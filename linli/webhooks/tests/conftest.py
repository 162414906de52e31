"""Fixtures for webhook tests: a real HTTP receiver on 127.0.0.1, organizations with admins.

    receiver        a local http.server in a thread that checks signatures like a real
                    receiver would (docs/webhooks.md), answers the scripted statuses, and
                    processes each event id once
    org_admins      org admins for the department (street A) and for a street B organization
    register        register(admin, organization, url=None, topics=None) → Webhook, through the action
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from linli.accounts.choices import Role
from linli.core.testing import make_person
from linli.orgs.actions import do_create_organization
from linli.webhooks import signing
from linli.webhooks.actions import check_register_webhook


@pytest.fixture(autouse=True)
def _allow_private(settings):
    # The receiver lives on 127.0.0.1; production refuses that (tested with the flag off).
    settings.WEBHOOKS_ALLOW_PRIVATE = True


@dataclass
class Request:
    path: str
    headers: dict
    body: bytes
    signature_ok: bool
    status: int

    @property
    def event_id(self):
        return self.headers.get("X-Linli-Delivery")

    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str = ""
    secrets: list = field(default_factory=list)  # of the webhooks pointing here
    # statuses to answer, in order; then 200. (status, location) for redirects.
    script: list = field(default_factory=list)
    delay: float = 0.0
    requests: list = field(default_factory=list)
    processed: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def seen_ids(self):
        return [request.event_id for request in self.requests]


def _handler_for(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if receiver.delay:
                time.sleep(receiver.delay)
            ok = any(
                signing.verify(secret, self.headers.get("X-Linli-Timestamp"), self.headers.get("X-Linli-Signature"), body)
                for secret in list(receiver.secrets)
            )
            with receiver.lock:
                answer = receiver.script.pop(0) if receiver.script else 200
                status, location = answer if isinstance(answer, tuple) else (answer, None)
                if not ok:
                    status = 400
                event_id = self.headers.get("X-Linli-Delivery")
                receiver.requests.append(Request(self.path, dict(self.headers), body, ok, status))
                # A receiver processes an event once, whatever number of times it arrives.
                if 200 <= status < 300 and event_id not in receiver.processed:
                    receiver.processed.append(event_id)
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if 200 <= status < 300 else b"receiver says no")

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver():
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/linli/events"
    yield state
    server.shutdown()
    server.server_close()


@dataclass
class OrgAdmins:
    department_admin: object
    street_b_org: object
    street_b_admin: object


@pytest.fixture
def org_admins(tree, personas):
    street_b_org = do_create_organization(parent=None, name="中华街道城管中队", kind="department", area=tree.street_b)
    return OrgAdmins(
        department_admin=make_person("13900000011", "市政管理员", Role.ORG_ADMIN, organization=personas.department),
        street_b_org=street_b_org,
        street_b_admin=make_person("13900000012", "中华管理员", Role.ORG_ADMIN, organization=street_b_org),
    )


@pytest.fixture
def register(receiver):
    def make(admin, organization, url=None, topics=None):
        webhook = check_register_webhook(admin, organization, url or receiver.url, topics)
        receiver.secrets.append(webhook.secret)
        return webhook

    return make
