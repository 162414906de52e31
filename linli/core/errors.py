"""The one error an action raises for bad input: a stable `code`, a translated `message` and,
when one field is at fault, its name. `as_body()` is the API's error body (core.api.error_body)."""


class ActionError(Exception):
    def __init__(self, code, message, field=None):
        super().__init__(message)
        self.code, self.message, self.field = code, str(message), field

    def as_body(self):
        body = {"code": self.code, "message": self.message}
        if self.field:
            body["fields"] = {self.field: [self.message]}
        return body
