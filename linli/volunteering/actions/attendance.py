"""Attendance and hours of activities: the enrolment engine's QR check-in/out, marking and
verification, with volunteering's points credited on approval. The write contract is the
package's text."""

from __future__ import annotations

from django.utils.translation import gettext as _

from linli.core.ids import parse_id, parse_ids
from linli.enrolment import actions as enrolment
from linli.enrolment.actions import CHECK_IN_EARLY, MIN_STAY, credited_hours  # noqa: F401 — the pages quote them

from .. import queries
from ..models import Activity, Attendance
from .activities import OWNER
from .common import VolunteeringError


def credit_points(leader, attendance) -> int:
    """The enrolment engine's on_hours_approved: post the activity's points for the hours, inside
    the approving transaction; the idempotency key makes it once per attendance however often
    approval runs."""
    from linli.points.actions import do_post, points_for_hours

    activity = Activity.objects.select_related("area").get(pk=attendance.enrolment.session_id)
    points = points_for_hours(attendance.hours, activity.points_per_hour)
    if points > 0:
        do_post(attendance.enrolment.user, points, "earn", idempotency_key=f"attendance:{attendance.pk}",
                reference=f"activity:{activity.pk}", actor=leader, area_code=activity.area.code)
    return points


def check_scan(user, token, lat=None, lng=None) -> Attendance:
    """A volunteer scanned a venue's QR code: check in, or check out if already in."""
    return enrolment.check_scan(user, token, lat, lng, owner_prefix=OWNER)


def check_mark_attendance(leader, signup, checked_in_at, checked_out_at) -> Attendance:
    return enrolment.check_mark_attendance(leader, signup, checked_in_at, checked_out_at)


def do_mark_attendance(signup, checked_in_at, checked_out_at) -> Attendance:
    return enrolment.do_mark_attendance(signup, signup.session, checked_in_at, checked_out_at)


def check_approve_hours(leader, attendance) -> Attendance:
    return enrolment.check_approve_hours(leader, attendance)


def do_approve_hours(leader, attendance) -> Attendance:
    return enrolment.do_approve_hours(leader, attendance, attendance.enrolment.session)


def check_reject_hours(leader, attendance, reason) -> Attendance:
    return enrolment.check_reject_hours(leader, attendance, reason)


def check_bulk_approve(leader, ids) -> int:
    """Approve every pending, checked-out attendance among `ids` the leader manages; the count approved."""
    if not isinstance(ids, (list, tuple)) or any(parse_id(pk) is None for pk in ids):
        raise VolunteeringError("invalid", _("Choose the hours to approve."), field="ids")
    return enrolment.check_bulk_approve(leader, queries.attendances_for_manager(leader).filter(
        pk__in=parse_ids(ids, limit=500)))


def do_auto_check_out(now=None) -> int:
    """Check out, flagged, everyone still checked in to an activity that has ended."""
    return enrolment.do_auto_check_out(now, owner_prefix=OWNER)


def do_send_reminders(now=None) -> int:
    """Remind confirmed volunteers of activities starting within a day; each sign-up once."""
    return enrolment.do_send_reminders(now, owner_prefix=OWNER)

