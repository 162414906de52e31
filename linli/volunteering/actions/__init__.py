"""Every write of volunteering: check_* validates input and permission, do_* writes.

Volunteers       check_register_volunteer(user, **fields) -> Volunteer
                 check_reveal_id_number(viewer, volunteer, ip) -> str   (recorded; 404 unless a manager)
                 check_update_volunteer(user, volunteer, **fields) -> Volunteer  (own profile; identity refused)
Teams            check_join_team(user, team), check_invite(leader, team, user),
                 check_decide_membership(leader, membership, approve), check_accept_invitation(user, membership)
                 check_leave_team(user, team), check_decline_invitation(user, membership),
                 check_remove_member(leader, membership, reason="")   (these three in team_actions.py)
Activities       check_create_activity(user, organization, **fields) -> Activity
                 check_update_activity(user, activity, venue_capacities=, add_branches=, **fields) -> Activity
                 check_cancel_activity(user, activity, reason) -> Activity  (until it ends; sign-ups cancelled, told)
Sign-ups         check_signup(user, activity, venue=None), check_cancel_signup(user, signup)
                 (cancelling a confirmed place promotes the venue's first waitlisted sign-up)
Attendance       check_scan(user, token, lat=None, lng=None) -> Attendance  (check in, then check out
                 no sooner than MIN_STAY later: `too_soon`)
                 check_mark_attendance(leader, signup, checked_in_at, checked_out_at)
Hours            check_approve_hours(leader, attendance), check_reject_hours(leader, attendance, reason),
                 check_bulk_approve(leader, ids) -> count; approving posts points exactly once
Scheduled        do_auto_check_out(now=None), do_send_reminders(now=None)  (both safe to run twice)
Certificates     check_issue_certificate(actor, volunteer, *, organization, date_from, date_to) -> ServiceCertificate
                 (leaders/admins of an organization the volunteer served with, or the volunteer themself:
                 it only restates hours a leader verified; 0 hours → nothing_to_certify); numbered,
                 checked and revoked by core.certificates
                 check_revoke_certificate(actor, certificate, reason)  (managers of the issuing organization)

Errors: VolunteeringError (400 in the API) with a stable code; Http404 for what the user may not see.
"""

from .activities import (  # noqa: F401
    EDITABLE_ACTIVITY_FIELDS,
    _clean_activity,
    _clean_branches,
    _position,
    _positive_int,
    _require_activity_manager,
    _require_changeable,
    check_cancel_activity,
    check_create_activity,
    check_update_activity,
    do_cancel_activity,
    do_create_activity,
    do_update_activity,
)
from .attendance import (  # noqa: F401
    CHECK_IN_EARLY,
    MIN_STAY,
    check_approve_hours,
    check_bulk_approve,
    check_mark_attendance,
    check_reject_hours,
    check_scan,
    credit_points,
    credited_hours,
    do_approve_hours,
    do_auto_check_out,
    do_mark_attendance,
    do_send_reminders,
)
from .certificates import (  # noqa: F401
    CERTIFICATE_PREFIX,
    _entries,
    can_manage_certificate,
    check_issue_certificate,
    check_revoke_certificate,
    do_issue_certificate,
)
from .common import (  # noqa: F401
    ID_NUMBER_FIELD,
    MAX_LIST_ITEMS,
    VolunteeringError,
    _cancelled_error,
    _choice,
    _on_the_map,
    _text_list,
)
from .signups import (  # noqa: F401
    _promote_first_waiting,
    check_cancel_signup,
    check_eligible,
    check_signup,
    do_cancel_signup,
    do_signup,
)
from .teams import (  # noqa: F401
    _do_set_membership,
    _require_team,
    check_accept_invitation,
    check_decide_membership,
    check_invite,
    check_invite_by_phone,
    check_join_team,
    check_set_join_mode,
    join_mode_of,
)
from .volunteers import (  # noqa: F401
    IDENTITY_FIELDS,
    PROFILE_FIELDS,
    _clean_profile,
    check_register_volunteer,
    check_reveal_id_number,
    check_update_volunteer,
    do_register_volunteer,
    do_reveal_id_number,
    do_update_volunteer,
)
