"""Attendance and hours: QR check-in/out, marking, verifying hours, the scheduled jobs. The write contract is the package's text."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.ids import parse_id, parse_ids, parse_point
from linli.core.outbox import emit

from .. import checkin, queries
from ..choices import (
    ActivityStatus,
    AttendanceMethod,
    HoursStatus,
    SignupStatus,
)
from ..models import (
    Activity,
    Attendance,
    Signup,
    Venue,
)
from .common import (
    CHECK_IN_EARLY,
    MIN_STAY,
    VolunteeringError,
    _cancelled_error,
    _on_the_map,
)

# -- attendance -----------------------------------------------------------------------------


def _hours_between(start, end) -> Decimal:
    seconds = max((end - start).total_seconds(), 0)
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def credited_hours(activity, checked_in_at, checked_out_at) -> Decimal:
    """Hours from the later of check-in and the start to the earlier of check-out and the end,
    with settings.VOLUNTEER_HOURS_GRACE_MINUTES either side: arriving early or staying on
    after the end is not service time."""
    grace = timedelta(minutes=settings.VOLUNTEER_HOURS_GRACE_MINUTES)
    start = max(checked_in_at, activity.starts_at - grace)
    end = min(checked_out_at, activity.ends_at + grace)
    return _hours_between(start, end)


def check_scan(user, token, lat=None, lng=None) -> Attendance:
    """A volunteer scanned a venue's QR code: check in, or check out if already in."""
    now = timezone.now()
    venue_id = checkin.venue_id_from_token(token, now)
    if venue_id is None:
        raise VolunteeringError("bad_token", _("This code has expired or is not genuine. Scan the code on the screen again."))
    venue = Venue.objects.select_related("activity").filter(pk=venue_id).first()
    if venue is None:
        raise VolunteeringError("bad_token", _("This code has expired or is not genuine. Scan the code on the screen again."))
    if venue.activity.status == ActivityStatus.CANCELLED:
        raise _cancelled_error()
    signup = Signup.objects.filter(activity=venue.activity, user=user, status=SignupStatus.CONFIRMED).first()
    if signup is None:
        raise VolunteeringError("not_signed_up", _("You have no confirmed place in this activity."))
    if signup.venue_id != venue.pk:
        raise VolunteeringError("wrong_venue", _("Your place is at another venue: %(venue)s") % {"venue": signup.venue.name})
    if venue.geofence_m and venue.lat is not None:
        lat, lng = parse_point(lat, lng) or (math.nan, math.nan)
        if not _on_the_map(lat, lng):
            raise VolunteeringError("position_required", _("Allow the page to use your position to check in."))
        # Written so that a NaN distance fails closed.
        if not checkin.distance_m(lat, lng, venue.lat, venue.lng) <= venue.geofence_m:
            raise VolunteeringError("outside_geofence", _("You are too far from the venue to check in."))
    activity = venue.activity
    attendance = Attendance.objects.filter(signup=signup).first()
    if attendance is None:
        if not activity.starts_at - CHECK_IN_EARLY <= now <= activity.ends_at:
            raise VolunteeringError("not_now", _("Check-in is open from one hour before the start until the end."))
        return do_check_in(signup, now, AttendanceMethod.QR)
    if attendance.checked_out_at is not None:
        raise VolunteeringError("already_checked_out", _("You have already checked out."))
    opens = attendance.checked_in_at + MIN_STAY
    if now < opens:
        raise VolunteeringError("too_soon", _("You are checked in. You can check out from %(time)s.") % {
            "time": timezone.localtime(opens).strftime("%H:%M")})
    return do_check_out(attendance, now)


def do_check_in(signup, when, method) -> Attendance:
    try:
        with transaction.atomic():
            return Attendance.objects.create(signup=signup, method=method, checked_in_at=when)
    except IntegrityError:  # a double scan: the first one counts
        return Attendance.objects.get(signup=signup)


def do_check_out(attendance, when, auto=False) -> Attendance:
    with transaction.atomic():
        attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
        if attendance.checked_out_at is not None:
            return attendance
        activity = Activity.objects.only("starts_at", "ends_at").get(signups__attendance=attendance)
        attendance.checked_out_at = when
        attendance.auto_checked_out = auto
        attendance.hours = credited_hours(activity, attendance.checked_in_at, when)
        Attendance.objects.filter(pk=attendance.pk).update(
            checked_out_at=when, auto_checked_out=auto, hours=attendance.hours)
    return attendance


def _require_manager_of_signup(leader, signup):
    if not queries.can_manage_organization(leader, signup.activity.organization):
        raise Http404


def check_mark_attendance(leader, signup, checked_in_at, checked_out_at) -> Attendance:
    _require_manager_of_signup(leader, signup)
    if signup.activity.status == ActivityStatus.CANCELLED:
        raise _cancelled_error()  # its hours could never be approved
    if signup.status != SignupStatus.CONFIRMED:
        raise VolunteeringError("not_confirmed", _("Only confirmed volunteers can be marked present."))
    if not checked_in_at or not checked_out_at or checked_out_at <= checked_in_at:
        raise VolunteeringError("invalid", _("Check-out must be after check-in."), field="checked_out_at")
    existing = Attendance.objects.filter(signup=signup).first()
    if existing is not None and existing.status != HoursStatus.PENDING:
        raise VolunteeringError("already_verified", _("These hours have already been verified."))
    return do_mark_attendance(signup, checked_in_at, checked_out_at)


def do_mark_attendance(signup, checked_in_at, checked_out_at) -> Attendance:
    with transaction.atomic():
        hours = credited_hours(signup.activity, checked_in_at, checked_out_at)
        attendance, created = Attendance.objects.select_for_update().get_or_create(
            signup=signup, defaults={"method": AttendanceMethod.LEADER, "checked_in_at": checked_in_at,
                                     "checked_out_at": checked_out_at, "hours": hours})
        if not created:
            # Checked again under the lock: the hours may have been verified since check_mark_attendance.
            if attendance.status != HoursStatus.PENDING:
                raise VolunteeringError("already_verified", _("These hours have already been verified."))
            Attendance.objects.filter(pk=attendance.pk).update(
                method=AttendanceMethod.LEADER, checked_in_at=checked_in_at, checked_out_at=checked_out_at,
                hours=hours, auto_checked_out=False)
            attendance.refresh_from_db()
    return attendance


# -- hours ----------------------------------------------------------------------------------


def _load_for_verification(leader, attendance):
    attendance = Attendance.objects.select_related("signup__activity__organization__area", "signup__activity__area").get(
        pk=attendance.pk)
    _require_manager_of_signup(leader, attendance.signup)
    return attendance


def check_approve_hours(leader, attendance) -> Attendance:
    attendance = _load_for_verification(leader, attendance)
    if attendance.signup.activity.status == ActivityStatus.CANCELLED:
        raise _cancelled_error()
    if attendance.checked_out_at is None:
        raise VolunteeringError("not_checked_out", _("The volunteer has not checked out yet."))
    return do_approve_hours(leader, attendance)


def do_approve_hours(leader, attendance) -> Attendance:
    from linli.points.actions import do_post, points_for_hours

    activity = attendance.signup.activity
    with transaction.atomic():
        locked = Attendance.objects.select_for_update().get(pk=attendance.pk)
        if locked.status == HoursStatus.APPROVED:
            return locked  # approved before (maybe concurrently): its points are posted
        points = points_for_hours(locked.hours, activity.points_per_hour)
        if points > 0:
            # The idempotency key makes this post once, however often approval runs.
            do_post(attendance.signup.user, points, "earn", idempotency_key=f"attendance:{locked.pk}",
                    reference=f"activity:{activity.pk}", actor=leader, area_code=activity.area.code)
        now = timezone.now()
        Attendance.objects.filter(pk=locked.pk).update(
            status=HoursStatus.APPROVED, verified_by=leader, verified_at=now, reject_reason="", points=points)
        emit("volunteering.hours_approved", {"attendance": locked.pk})
        locked.status, locked.verified_by, locked.verified_at, locked.points = HoursStatus.APPROVED, leader, now, points
    return locked


def check_reject_hours(leader, attendance, reason) -> Attendance:
    attendance = _load_for_verification(leader, attendance)
    reason = str(reason or "").strip()[:200]
    if not reason:
        raise VolunteeringError("invalid", _("Give a reason."), field="reason")
    if attendance.status == HoursStatus.APPROVED:
        raise VolunteeringError("already_approved", _("Approved hours cannot be rejected."))
    with transaction.atomic():
        locked = Attendance.objects.select_for_update().get(pk=attendance.pk)
        if locked.status == HoursStatus.APPROVED:
            raise VolunteeringError("already_approved", _("Approved hours cannot be rejected."))
        Attendance.objects.filter(pk=locked.pk).update(
            status=HoursStatus.REJECTED, reject_reason=reason, verified_by=leader, verified_at=timezone.now())
        emit("volunteering.hours_rejected", {"attendance": locked.pk})
        locked.refresh_from_db()
    return locked


def check_bulk_approve(leader, ids) -> int:
    """Approve every pending, checked-out attendance among `ids` the leader manages; the count approved."""
    if not isinstance(ids, (list, tuple)) or any(parse_id(pk) is None for pk in ids):
        raise VolunteeringError("invalid", _("Choose the hours to approve."), field="ids")
    ids = parse_ids(ids, limit=500)
    candidates = queries.attendances_for_manager(leader).filter(
        pk__in=ids, status=HoursStatus.PENDING, checked_out_at__isnull=False)
    approved = 0
    with transaction.atomic():  # all or nothing
        for attendance in candidates:
            do_approve_hours(leader, attendance)
            approved += 1
    return approved


# -- scheduled ------------------------------------------------------------------------------


def do_auto_check_out(now=None) -> int:
    """Check out, flagged, everyone still checked in to an activity that has ended."""
    now = now or timezone.now()
    count = 0
    open_ones = Attendance.objects.filter(checked_out_at__isnull=True, signup__activity__ends_at__lte=now)
    for attendance in open_ones.select_related("signup__activity"):
        done = do_check_out(attendance, attendance.signup.activity.ends_at, auto=True)
        count += int(done.auto_checked_out)
    return count


def do_send_reminders(now=None) -> int:
    """Remind confirmed volunteers of activities starting within a day; each sign-up once."""
    now = now or timezone.now()
    due = Signup.objects.filter(
        status=SignupStatus.CONFIRMED, reminded_at__isnull=True,
        activity__starts_at__gt=now, activity__starts_at__lte=now + timedelta(days=1),
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            # The conditional update is the claim: a second run (or a concurrent one) gets 0 rows.
            if Signup.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
                emit("volunteering.reminder", {"signup": pk})
                sent += 1
    return sent
