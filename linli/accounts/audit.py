"""History of who changed people, roles and API tokens (django-auditlog).

django-auditlog, not django-pghistory: the suite and the embedded default run on SQLite,
where pghistory's PostgreSQL triggers do not exist; auditlog records through model signals
on every database, and a revocation (a deleted RoleAssignment) keeps its row in the log.
Writes that bypass signals (`QuerySet.update`) are not recorded, so the audited actions
save instances.

The actor: `AuditActorMiddleware` resolves `request.user` when the log entry is written,
so a user signed in by an API token (DRF sets it on the request during the view) is
recorded too; the address is the one rate limits trust (TRUSTED_PROXY_COUNT), not the
first, client-supplied X-Forwarded-For entry. Outside a request (commands, tasks)
`acting_as(actor)` names the actor.
"""

import ipaddress
from contextlib import contextmanager

from auditlog.context import auditlog_value, set_extra_data
from auditlog.registry import auditlog
from django.contrib.auth import get_user_model
from django.utils.functional import SimpleLazyObject

from linli.core.ratelimit import client_ip


def register():
    from .models import ApiToken, RoleAssignment, User

    # Password hashes and last_login (written at every sign-in) are noise; the phone is masked (PIPL).
    auditlog.register(
        User, exclude_fields=["password", "last_login"], mask_fields=["phone"], m2m_fields={"groups", "user_permissions"}
    )
    auditlog.register(RoleAssignment)
    # The digest stays out of the log; last_used_at changes every minute of use.
    auditlog.register(ApiToken, exclude_fields=["digest", "last_used_at"])


def _request_address(request):
    # An inet column on PostgreSQL: a forged X-Forwarded-For entry that is no address must not
    # turn an audited write into a 500.
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def _request_actor(request):
    user = getattr(request, "user", None)
    if isinstance(user, get_user_model()) and user.is_authenticated:
        return user
    return None


class AuditActorMiddleware:
    """After AuthenticationMiddleware: log entries written during the request name its user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = {
            # Lazy: evaluated when an entry is saved, after DRF's token authentication ran.
            "actor": SimpleLazyObject(lambda: _request_actor(request)),
            "remote_addr": _request_address(request),
        }
        with set_extra_data(context_data=context):
            return self.get_response(request)


@contextmanager
def acting_as(actor):
    """Name the actor of the writes inside (an action that knows who acts: commands, tasks, API).

    auditlog's context replaces the request's and never restores it, so the request's is put
    back afterwards for the rest of the request.
    """
    try:
        outer = auditlog_value.get()
    except LookupError:
        outer = None
    try:
        with set_extra_data(context_data={"remote_addr": (outer or {}).get("remote_addr"), "actor": actor}):
            yield
    finally:
        if outer is not None:
            auditlog_value.set(outer)
