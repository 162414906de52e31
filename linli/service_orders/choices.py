"""Service order statuses, offering kinds and the workflow's transition table (点单 → 派单 → 接单 → 评单).

The table is the single source of truth, as in linli.cases: `actions.perform()` refuses an
action whose order is not in one of its `sources` (409 with the allowed actions), and
`actions.allowed_actions()` lists exactly what a user may do now.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.workflow import Transition  # noqa: F401  (the table's rows)
from linli.places.choices import AreaLevel


class OfferingKind(models.TextChoices):
    HOUSEKEEPING = "housekeeping", _("Housekeeping")
    HAIRCUT = "haircut", _("Haircut")
    FREE_CLINIC = "free_clinic", _("Free clinic")
    HOSPITAL_ESCORT = "hospital_escort", _("Hospital escort")
    ELDERLY_HOME_VISIT = "elderly_home_visit", _("Home visit for the elderly")
    TUTORING = "tutoring", _("After-school tutoring")
    REPAIR = "repair", _("Household repairs")
    OTHER = "other", _("Other service")


class OrderStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered")
    DISPATCHED = "dispatched", pgettext_lazy("service order", "Dispatched")
    ACCEPTED = "accepted", pgettext_lazy("service order", "Accepted")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = frozenset({OrderStatus.ORDERED, OrderStatus.DISPATCHED, OrderStatus.ACCEPTED})


class Party(models.TextChoices):
    """Who may take an action, relative to the order (decided in parties.py)."""

    RESIDENT = "resident", _("Resident")  # who ordered
    DISPATCHER = "dispatcher", _("Dispatcher")  # community staff / command center over the order's area
    TEAM = "team", _("Serving team")  # a leader of the team the order is dispatched to
    GRABBER = "grabber", _("Team serving the area")  # a leader of a team that may grab a published order
    VOLUNTEER = "volunteer", _("Assigned volunteer")  # sent on the order by the team's leader: sees it, acts on nothing


class OrderAction(models.TextChoices):
    DISPATCH = "dispatch", _("Dispatch to a team")
    PUBLISH = "publish", _("Publish for teams to grab")
    GRAB = "grab", _("Grab")
    ACCEPT = "accept", pgettext_lazy("service order", "Accept")
    DECLINE = "decline", _("Decline")
    ASSIGN = "assign", _("Assign volunteers")
    COMPLETE = "complete", _("Mark as done")
    RECORD_HOURS = "record_hours", _("Record hours")
    CORRECT_HOURS = "correct_hours", _("Correct hours")
    RATE = "rate", _("Rate")
    CANCEL = "cancel", _("Cancel")
    # Not a user action: the timeline's first event.
    ORDER = "order", _("Order")


S = OrderStatus
A = OrderAction
TRANSITIONS: dict[str, Transition] = {
    A.DISPATCH: Transition(frozenset({S.ORDERED}), S.DISPATCHED, frozenset({Party.DISPATCHER})),
    A.PUBLISH: Transition(frozenset({S.ORDERED}), None, frozenset({Party.DISPATCHER})),
    A.GRAB: Transition(frozenset({S.ORDERED}), S.ACCEPTED, frozenset({Party.GRABBER})),
    A.ACCEPT: Transition(frozenset({S.DISPATCHED}), S.ACCEPTED, frozenset({Party.TEAM})),
    A.DECLINE: Transition(frozenset({S.DISPATCHED}), S.ORDERED, frozenset({Party.TEAM})),
    A.ASSIGN: Transition(frozenset({S.ACCEPTED}), None, frozenset({Party.TEAM})),
    A.COMPLETE: Transition(frozenset({S.ACCEPTED}), S.DONE, frozenset({Party.TEAM})),
    A.RECORD_HOURS: Transition(frozenset({S.DONE}), None, frozenset({Party.TEAM})),
    A.CORRECT_HOURS: Transition(frozenset({S.DONE}), None, frozenset({Party.TEAM})),
    A.RATE: Transition(frozenset({S.DONE}), None, frozenset({Party.RESIDENT})),
    A.CANCEL: Transition(frozenset({S.ORDERED, S.DISPATCHED}), S.CANCELLED, frozenset({Party.RESIDENT})),
}

REASON_REQUIRED = frozenset({A.DECLINE, A.CORRECT_HOURS})

# The levels of area a team's service menu names (a team serves under its own area).
AREA_LEVELS_SERVED = (AreaLevel.STREET, AreaLevel.COMMUNITY)

# From acceptance on, the team (its leaders and the volunteers sent) may see the resident's phone.
PHONE_VISIBLE_STATUSES = frozenset({OrderStatus.ACCEPTED, OrderStatus.DONE})

NOTE_MAX_LENGTH = 1000
ADDRESS_MAX_LENGTH = 200
MAX_DONE_PHOTOS = 9
MAX_ORDER_PHOTOS = 9
MAX_HOURS_PER_VOLUNTEER = 24
POINTS_PER_HOUR = 10
