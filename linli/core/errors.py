"""The one error an action raises for bad input: a stable `code`, a translated `message` and,
when one field is at fault, its name. `as_body()` is the API's error body (core.api.error_body)."""


class ActionError(Exception):
    # 400 for bad input; a subclass says 403 for an action the person may see but not take.
    http_status = 400

    def __init__(self, code, message, field=None):
        super().__init__(message)
        self.code, self.message, self.field = code, str(message), field

    def as_body(self):
        body = {"code": self.code, "message": self.message}
        if self.field:
            body["fields"] = {self.field: [self.message]}
        return body


class ActionNotAllowed(Exception):
    """A workflow action the record's current state does not allow (409), with the actions
    it does allow. Subclasses give the message in their own words (`message()`)."""

    def __init__(self, action, status, allowed):
        self.action, self.status, self.allowed = action, status, list(allowed)
        super().__init__(f"{action} not allowed in {status}")

    def message(self):
        raise NotImplementedError

    def as_body(self):
        return {"code": "action_not_allowed", "message": str(self.message()), "allowed_actions": self.allowed}
