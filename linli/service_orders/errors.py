"""Errors the service order actions raise; the API and pages map them to responses.

ServiceOrderError  → 400 {"code", "message", "fields"?} (ServiceNotOffered: 403)
ActionNotAllowed   → 409 {"code": "action_not_allowed", "message", "allowed_actions": [...]}
django.http.Http404 (the order or the action is outside the user's role/scope) → 404
"""

from django.utils.translation import gettext as _

from linli.core.errors import ActionError
from linli.core.errors import ActionNotAllowed as BaseActionNotAllowed


class ServiceOrderError(ActionError):
    """Bad input to a service order action (400)."""


class ServiceNotOffered(ServiceOrderError):
    """A team leader tried to grab an order for a service none of their teams offers there (403)."""

    http_status = 403


class ActionNotAllowed(BaseActionNotAllowed):
    def message(self):
        return _("This action is not possible in the order's current state.")


class OrderTaken(ActionNotAllowed):
    """The loser of a grab race: another team took the order first (409, not the 404 of an
    order the user never could see)."""

    def message(self):
        return _("Another team took this order first.")
