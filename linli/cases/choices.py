"""Case statuses, channels and the workflow's transition table.

The table is the single source of truth: `actions.perform()` refuses an action
whose case is not in one of its `sources` (409 with the allowed actions), and
`actions.allowed_actions()` lists exactly what a user may do now.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.workflow import Transition  # noqa: F401  (the table's rows)


class CategoryKind(models.TextChoices):
    COMPONENT = "component", _("Component")
    EVENT = "event", _("Event")


class CaseStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_PROGRESS = "in_progress", _("In progress")
    RETURNED = "returned", _("Returned")
    RESOLVED = "resolved", _("Resolved")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = frozenset(
    {
        CaseStatus.REPORTED,
        CaseStatus.ACCEPTED,
        CaseStatus.DISPATCHED,
        CaseStatus.IN_PROGRESS,
        CaseStatus.RETURNED,
        CaseStatus.RESOLVED,
        CaseStatus.VERIFIED,
    }
)
FINISHED_STATUSES = frozenset({CaseStatus.REJECTED, CaseStatus.CLOSED})


class Channel(models.TextChoices):
    SNAPSHOT = "snapshot", _("Snapshot (resident photo)")
    PATROL = "patrol", _("Grid patrol")
    HOTLINE = "hotline", _("12345 hotline")
    WALK_IN = "walk_in", _("Walk-in or phone")
    API = "api", _("API")
    OPEN311 = "open311", _("Open311")


# Reports staff file (on rounds, at the desk, from the hotline's sheet): no resident of the
# platform reported them, so nobody rates them and the satisfaction rate leaves them out.
STAFF_CHANNELS = frozenset({Channel.PATROL, Channel.WALK_IN, Channel.HOTLINE})


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class SlaState(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class Party(models.TextChoices):
    """Who may take an action, relative to the case (checked in actions.py)."""

    DISPATCHER = "dispatcher", _("Dispatcher")  # command center / community staff over the case's area
    UNIT = "unit", _("Handling unit")  # department handler of the lead unit
    VERIFIER = "verifier", _("Verifier")  # grid worker / grid leader of the case's grid
    REPORTER = "reporter", _("Reporter")
    CLAIMANT = "claimant", _("Claiming unit")  # a unit in scope of a published case's board


class Action(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    REJECT = "reject", _("Reject")
    DISPATCH = "dispatch", _("Dispatch")
    SIGN = "sign", _("Sign for")
    RETURN = "return", _("Return")
    RESOLVE = "resolve", _("Resolve")
    VERIFY = "verify", _("Verify")
    REWORK = "rework", _("Send back for rework")
    CLOSE = "close", _("Close")
    RATE = "rate", _("Rate")
    REOPEN = "reopen", _("Reopen")
    ESCALATE = "escalate", _("Escalate")
    REMIND = "remind", _("Remind")
    SUPERVISE = "supervise", _("Supervise")
    PUBLISH = "publish", _("Publish to the claim board")
    CLAIM = "claim", _("Claim")
    ASSIST = "assist", _("Add an assisting unit")
    # Events that are not user actions, for the timeline.
    REPORT = "report", _("Report")
    FOLLOW = "follow", _("Follow")
    PLACE = "place", _("Place on a grid")
    ASSIGN_VERIFIER = "assign_verifier", _("Verification assigned")
    SLA_DUE_SOON = "sla_due_soon", _("Due soon")
    SLA_OVERDUE = "sla_overdue", _("Overdue")


S = CaseStatus
_UNDER_WAY = frozenset({S.DISPATCHED, S.IN_PROGRESS, S.RETURNED})

TRANSITIONS: dict[str, Transition] = {
    Action.ACCEPT: Transition(frozenset({S.REPORTED}), S.ACCEPTED, frozenset({Party.DISPATCHER})),
    Action.REJECT: Transition(frozenset({S.REPORTED}), S.REJECTED, frozenset({Party.DISPATCHER})),
    Action.DISPATCH: Transition(frozenset({S.ACCEPTED, S.RETURNED}), S.DISPATCHED, frozenset({Party.DISPATCHER})),
    Action.SIGN: Transition(frozenset({S.DISPATCHED}), S.IN_PROGRESS, frozenset({Party.UNIT})),
    Action.RETURN: Transition(frozenset({S.DISPATCHED}), S.RETURNED, frozenset({Party.UNIT})),
    Action.RESOLVE: Transition(frozenset({S.IN_PROGRESS}), S.RESOLVED, frozenset({Party.UNIT})),
    Action.VERIFY: Transition(frozenset({S.RESOLVED}), S.VERIFIED, frozenset({Party.VERIFIER, Party.DISPATCHER})),
    Action.REWORK: Transition(frozenset({S.RESOLVED}), S.IN_PROGRESS, frozenset({Party.VERIFIER, Party.DISPATCHER})),
    Action.CLOSE: Transition(frozenset({S.VERIFIED}), S.CLOSED, frozenset({Party.DISPATCHER})),
    Action.RATE: Transition(frozenset({S.CLOSED}), None, frozenset({Party.REPORTER})),
    Action.REOPEN: Transition(frozenset({S.CLOSED}), S.ACCEPTED, frozenset({Party.REPORTER})),
    Action.ESCALATE: Transition(
        frozenset({S.REPORTED, S.ACCEPTED, S.RETURNED}) | _UNDER_WAY, None, frozenset({Party.DISPATCHER})
    ),
    Action.REMIND: Transition(_UNDER_WAY | frozenset({S.ACCEPTED}), None, frozenset({Party.DISPATCHER})),
    Action.SUPERVISE: Transition(_UNDER_WAY | frozenset({S.ACCEPTED}), None, frozenset({Party.DISPATCHER})),
    Action.PUBLISH: Transition(frozenset({S.ACCEPTED, S.RETURNED}), None, frozenset({Party.DISPATCHER})),
    Action.CLAIM: Transition(frozenset({S.ACCEPTED, S.RETURNED}), S.DISPATCHED, frozenset({Party.CLAIMANT})),
    Action.ASSIST: Transition(frozenset({S.DISPATCHED, S.IN_PROGRESS}), None, frozenset({Party.DISPATCHER})),
}

# Putting an unlocated case on a grid by hand (actions.check_place) is not a workflow
# transition: it keeps the status and is open to dispatchers while the case is in these.
PLACE_STATUSES = frozenset({S.REPORTED, S.ACCEPTED, S.RETURNED})

# Actions that need a reason (note) and refuse an empty one.
REASON_REQUIRED = frozenset({Action.REJECT, Action.RETURN, Action.REWORK, Action.REOPEN, Action.ESCALATE})

# Which time limit runs in which status (the SLA sweep and the "overdue" filter):
# the accept limit while the case waits for acceptance, the resolve limit from
# dispatch until the unit reports back (a returned case keeps its clock running
# until it is dispatched again, which sets a new one). Resolved, verified and
# finished cases have no running limit; an accepted case has none until dispatch.
ACCEPT_CLOCK_STATUSES = frozenset({S.REPORTED})
RESOLVE_CLOCK_STATUSES = frozenset({S.DISPATCHED, S.IN_PROGRESS, S.RETURNED})
CLOSE_CLOCK_STATUSES = frozenset({S.VERIFIED})  # 待结案: verified on site, waiting for the call back and 结案

# Statuses a claim board case can be claimed from.
CLAIMABLE_STATUSES = frozenset({S.ACCEPTED, S.RETURNED})

# Organization kinds that handle cases, in the order dispatch lists show them; they may claim a
# case of a category no routing rule names (routing.handling_kinds).
UNIT_KIND_ORDER = ["department", "party", "enterprise", "social_org", "business_district", "industrial_park"]

# Escalation climbs the place tree: community → street → city (三级联动).
ESCALATION_LEVELS = ("community", "street", "city")

REOPEN_WITHIN_DAYS = 7
DUPLICATE_RADIUS_METERS = 50
DUPLICATE_WITHIN_DAYS = 30
MAX_PHOTOS = 9
MAX_EVIDENCE_PHOTOS = 9
DUE_SOON_WORKING_HOURS = 2
DESCRIPTION_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 2000

# Channels only staff may use: the capability the actor needs somewhere.
CHANNEL_CAPABILITY = {
    Channel.PATROL: "cases.verify",
    Channel.HOTLINE: "cases.dispatch",
    Channel.WALK_IN: "cases.dispatch",
}
# Channels where an address with an area hint may stand in for coordinates.
# (Open311: a request may carry only `address_string` / `address_id`; linli.open311 resolves it to an area.)
ADDRESS_ONLY_CHANNELS = frozenset({Channel.HOTLINE, Channel.WALK_IN, Channel.OPEN311})
