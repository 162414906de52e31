"""Delivery states and the case topics a webhook may subscribe to."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.cases.choices import Action

TOPIC_PREFIX = "case."


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed, will retry")
    GIVEN_UP = "given_up", _("Given up")


# Not yet delivered and still to be tried.
OPEN_STATUSES = frozenset({DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.FAILED})


def topic_of(action) -> str:
    """The outbox topic of a case action (a report is "case.reported", see cases.actions.report)."""
    return "case.reported" if action == Action.REPORT else f"{TOPIC_PREFIX}{action}"


# Every topic a webhook can ask for, with its label: one per case action or timeline event.
CASE_TOPICS: list[tuple[str, str]] = [(topic_of(value), label) for value, label in Action.choices]
CASE_TOPIC_VALUES = frozenset(topic for topic, _label in CASE_TOPICS)
