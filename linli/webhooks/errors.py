"""Errors of the webhook actions; pages show `message`, the admin shows it as a form error."""


class WebhookError(Exception):
    def __init__(self, code, message, field=None):
        super().__init__(message)
        self.code, self.message, self.field = code, str(message), field

    def as_body(self):
        body = {"code": self.code, "message": self.message}
        if self.field:
            body["errors"] = {self.field: [self.message]}
        return body
