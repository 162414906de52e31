"""Every write to cases. `check_*` validates and calls `do_*`; `do_*` runs in one
transaction, locks the case, appends its CaseEvent and its outbox message.

check_report(actor, *, category, description, channel, lat=None, lng=None, coord_system="wgs84",
             address="", photos=(), show_reporter_name=False, reporter_name="", reporter_phone="",
             area_hint=None) -> Case
    `category`: a Category, its code or its pk. Coordinates, or a photo with an EXIF position,
    are required; an address with `area_hint` (an Area or its code) stands in for them on the
    staff channels walk_in and hotline. The grid comes from `places.locate`; outside every grid
    the case stays `reported` with `unlocated=True` in the queue of the nearest grid's street.
    Raises CaseError (400) with code: bad_channel, channel_not_allowed, description_required,
    too_long, bad_phone, bad_coordinates, too_many_photos, unknown_category, bad_area,
    no_location, or a media code for a bad photo (not_an_image, format_not_allowed, too_large,
    too_small) with field "photos".

prepare_report(actor, **the same) -> ReportDraft      validates only (raises the same CaseErrors)
do_report_many(actor, drafts, notify=True) -> list[Case]   files a batch of drafts without photos
    in one transaction (a hotline import's chunk); notify=False: no notice per case

perform(actor, case, action, **params) -> Case
    Every action of choices.TRANSITIONS:
      accept(note=""), reject(reason), dispatch(unit=None → the routed unit, note=""), sign(note=""),
      return(reason), resolve(note="", photos=[...] required), verify(note="", photos=[...] optional),
      rework(reason),
      close(note=""), rate(rating 1..5, comment=""), reopen(reason), escalate(reason),
      remind(note=""), supervise(note=""), publish(board_area=None → the queue area),
      claim(unit=None → the actor's first unit that may claim), assist(unit).
    `unit`: an Organization or its pk; `board_area`: an Area or its code.
    Http404 when the actor is not a party of the action for this case; ActionNotAllowed (409)
    when the case's state does not allow it now; CaseError (400) for bad parameters: unknown_action,
    unexpected_param, reason_required, too_long, unit_required, unknown_unit, already_lead,
    already_assisting, unit_not_allowed, evidence_required (+ photo codes), bad_rating,
    unknown_area, bad_board_area.

allowed_actions(user, case) -> list[str]   exactly what `perform` would accept now
check_follow(actor, case) -> CaseFollower   (Http404 for a rejected case; case_finished, own_case)
check_place(actor, case, area) -> Case      put an unlocated case on a grid (dispatchers)
check_assign_verifier(actor, case, worker) -> Case   a grid leader sends the check to a worker
check_set_routing_rule(actor, *, area, category, unit) -> RoutingRule   (dispatchers over the area)
check_reveal_reporter_phone(viewer, case, ip=None) -> str   the full number, the access recorded
    (Http404 unless parties.reporter_visible; CaseError no_phone)
"""

from ..errors import ActionNotAllowed, CaseError  # noqa: F401
from .config import check_set_routing_rule, do_set_routing_rule  # noqa: F401
from .grid_lead import check_assign_verifier, do_assign_verifier  # noqa: F401
from .guards import allowed_actions, state_allows  # noqa: F401
from .personal import check_reveal_reporter_phone, do_reveal_reporter_phone, reporter_phone_of  # noqa: F401
from .report import ReportDraft, check_report, do_report, do_report_many, prepare_report  # noqa: F401
from .workflow import (  # noqa: F401
    DO,
    check_follow,
    check_place,
    do_accept,
    do_assist,
    do_claim,
    do_close,
    do_dispatch,
    do_escalate,
    do_follow,
    do_place,
    do_publish,
    do_rate,
    do_reject,
    do_remind,
    do_reopen,
    do_resolve,
    do_return,
    do_rework,
    do_sign,
    do_supervise,
    do_verify,
    perform,
)
