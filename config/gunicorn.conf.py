"""gunicorn's settings for the production image (Dockerfile, compose.yaml): its own lines (worker
boots and timeouts, the access log) in the app's format, one JSON object per line, so a log
shipper reads every line the same way (linli.core.logging)."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = 60
accesslog = "-"  # stdout; the app's and gunicorn's own lines go to stderr

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "linli.core.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "linli.core.logging.JsonFormatter"}},
    "handlers": {
        "error_console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"],
                          "stream": "ext://sys.stderr"},
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"],
                    "stream": "ext://sys.stdout"},
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["error_console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["error_console"], "level": "INFO"},
}
