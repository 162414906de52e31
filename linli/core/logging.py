"""Console logs a collector can read: one JSON object per line, each with the request id.

`RequestIdFilter` copies the id set by `linli.core.middleware.RequestIdMiddleware` (held in
a context variable, so threads and async tasks each see their own) into every record;
`JsonFormatter` writes time, level, logger, message, request id, the traceback when there
is one, and any `extra={...}` fields. Twenty lines do not justify a dependency.
"""

import contextvars
import json
import logging

request_id_var = contextvars.ContextVar("request_id", default="-")

# Attributes every LogRecord has; anything else came from `extra=` and is written out too.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id"}


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key != "request":  # django.request's HttpRequest is not data
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


def json_logging(level="INFO", handlers=None, loggers=None, root_handler="console"):
    """A logging.config dict writing JSON lines: the settings' LOGGING and gunicorn's
    logconfig_dict (config/gunicorn.conf.py) are both built here, so every line is alike.
    `handlers`: extra name → stream ("ext://sys.stdout"); the "console" handler writes to stderr."""
    streams = {"console": "ext://sys.stderr", **(handlers or {})}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "linli.core.logging.RequestIdFilter"}},
        "formatters": {"json": {"()": "linli.core.logging.JsonFormatter"}},
        "handlers": {
            name: {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"], "stream": stream}
            for name, stream in streams.items()
        },
        "root": {"handlers": [root_handler], "level": level},
        "loggers": loggers or {},
    }
