"""gunicorn's settings for the production image (Dockerfile, compose.yaml): its own lines (worker
boots and timeouts, the access log) in the app's format, one JSON object per line, so a log
shipper reads every line the same way (linli.core.logging)."""

import os

from linli.core.logging import json_logging

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = 60
accesslog = "-"  # stdout; the app's and gunicorn's own lines go to stderr

logconfig_dict = json_logging(
    os.environ.get("LOG_LEVEL", "INFO"),
    handlers={"access": "ext://sys.stdout"},
    loggers={
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
)
