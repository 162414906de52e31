"""System checks of the project's own, run by `manage.py check --deploy`."""

from django.conf import settings
from django.core.checks import Error, Tags, register

LOG_BACKEND = "linli.accounts.sms.LogSmsBackend"


@register(Tags.security, deploy=True)
def sms_backend_sends_codes(app_configs=None, **kwargs):
    """The development SMS backend writes login codes to the log: whoever reads the log could sign
    in as anyone. A deployment must name a provider, or allow it on purpose (SMS_LOG_ALLOWED=1)."""
    if settings.SMS_BACKEND == LOG_BACKEND and not settings.SMS_LOG_ALLOWED:
        return [Error(
            "SMS_BACKEND is the development backend, which writes login codes to the log.",
            hint="Set SMS_BACKEND to linli.accounts.sms.AliyunSmsBackend or TencentSmsBackend with its "
                 "credentials, or SMS_LOG_ALLOWED=1 if no SMS is to be sent on purpose (a closed trial).",
            id="linli.E001",
        )]
    return []
