"""The error the Open311 interface answers with: an HTTP status and a translated description,
sent as the spec's error list (`[{"code": 400, "description": "..."}]` / `<errors>`)."""


class Open311Error(Exception):
    def __init__(self, status, description, headers=None, fmt=None):
        super().__init__(str(description))
        self.status, self.description, self.headers = status, str(description), dict(headers or {})
        self.fmt = fmt  # the format to answer in, when the error is found before the path is read

    def as_list(self):
        return [{"code": self.status, "description": self.description}]
