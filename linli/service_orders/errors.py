"""Errors the service order actions raise; the API and pages map them to responses.

ServiceOrderError  → 400 {"code", "message", "fields"?}
ActionNotAllowed   → 409 {"code": "action_not_allowed", "message", "allowed_actions": [...]}
django.http.Http404 (the order or the action is outside the user's role/scope) → 404
"""

from django.utils.translation import gettext as _

from linli.core.errors import ActionError


class ServiceOrderError(ActionError):
    """Bad input to a service order action (400)."""


class ActionNotAllowed(Exception):
    def __init__(self, action, status, allowed):
        self.action, self.status, self.allowed = action, status, list(allowed)
        super().__init__(f"{action} not allowed in {status}")

    def as_body(self):
        return {
            "code": "action_not_allowed",
            "message": _("This action is not possible in the order's current state."),
            "allowed_actions": self.allowed,
        }
