"""Errors the case actions raise; the API and pages map them to responses.

CaseError          → 400 {"code", "message", "fields"?}
ActionNotAllowed   → 409 {"code": "action_not_allowed", "message", "allowed_actions": [...]}
django.http.Http404 (the case or the action is outside the user's role/scope) → 404
"""

from django.utils.translation import gettext as _

from linli.core.errors import ActionError
from linli.core.errors import ActionNotAllowed as BaseActionNotAllowed


class CaseError(ActionError):
    """Bad input to a case action (400)."""


class ActionNotAllowed(BaseActionNotAllowed):
    def message(self):
        return _("This action is not possible in the case's current state.")
