"""Every write to cases. INTERFACE STUB — being implemented; signatures are the contract.

check_report(actor, *, category, description, channel, lat=None, lng=None, coord_system="wgs84",
             address="", photos=(), show_reporter_name=False, reporter_name="", reporter_phone="",
             area_hint=None) -> Case
    Validates (category exists & active, description, coordinates, photos via core.media rules,
    channel allowed for the actor), locates the grid (unlocated → street queue), routes, computes
    due times, writes Case + CaseEvent("report") + CasePhoto rows + outbox message in one
    transaction. Raises CaseError (400).

perform(actor, case, action, **params) -> Case
    The one entry for every workflow action of choices.TRANSITIONS:
      accept(note=""), reject(reason), dispatch(unit, note=""), sign(note=""), return(reason),
      resolve(note="", photos=[...] required), verify(note=""), rework(reason), close(note=""),
      rate(rating 1..5, comment=""), reopen(reason), escalate(reason), remind(note=""),
      supervise(note=""), publish(board_area=None → the queue area), claim(unit=None → actor's unit),
      assist(unit).
    Raises Http404 when the case or the action is outside the actor's role/scope, ActionNotAllowed
    (409) when the case's status does not allow it, CaseError (400) for bad params.

allowed_actions(user, case) -> list[str]   (exactly what `perform` would accept now)
check_follow(actor, case) -> CaseFollower
"""

from .errors import ActionNotAllowed, CaseError  # noqa: F401


def check_report(actor, **fields):
    raise NotImplementedError


def perform(actor, case, action, **params):
    raise NotImplementedError


def allowed_actions(user, case):
    raise NotImplementedError


def check_follow(actor, case):
    raise NotImplementedError
