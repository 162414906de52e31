"""Errors of the webhook actions; pages show `message`, the admin shows it as a form error."""

from linli.core.errors import ActionError


class WebhookError(ActionError):
    """Bad input to a webhook action."""
