"""Every write of enrolment and attendance: check_* validates input and permission, do_* writes.
The owner of a session (owners.register_owner) says who organizes, who is eligible, what approving
hours credits, and the words of the errors.

Enrolment    check_enrol(user, session, venue=None) -> Enrolment   (window, eligibility, the main
             venue by default; a full venue puts the person on its waiting list)
             do_enrol(user, session, venue)        under the venue's row lock: count, then take a place
             check_cancel_enrolment(user, enrolment), do_cancel_enrolment(enrolment)
             (a freed place goes to the venue's first waiting enrolment: outbox "enrolment.promoted")
Attendance   check_scan(user, token, lat=None, lng=None) -> Attendance   (rotating signed QR of a
             venue, optional geofence; check in, then check out no sooner than MIN_STAY later)
             check_mark_attendance(organizer, enrolment, checked_in_at, checked_out_at)
             check_mark_presence(organizer, enrolment, presence)   excused / absent (no hours); absent
             for someone who enrolled after the session began is recorded as not applicable
             presence_of(enrolment, attendance, now) -> Presence | None   (what a roll shows)
             do_close_roll(session) -> count       absent / not applicable for everyone unmarked
Hours        check_approve_hours(organizer, attendance), check_reject_hours(organizer, attendance, reason),
             check_bulk_approve(organizer, candidates) -> count   (outbox "enrolment.hours_approved" /
             "enrolment.hours_rejected" with {"attendance", "owner"}; the owner's on_hours_approved
             runs once, inside the approving transaction)
Scheduled    do_auto_check_out(now=None), do_send_reminders(now=None)   (both safe to run twice)

Errors: the owner's error class (EnrolmentError by default) with a stable code; Http404 for what
the person may not see.
"""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.ids import parse_point
from linli.core.outbox import emit

from . import checkin
from .choices import AttendanceMethod, EnrolmentStatus, HoursStatus, Presence, SessionStatus
from .models import Attendance, Enrolment, Session, Venue
from .owners import EnrolmentError, owner_of

# How early before the start a person may check in.
CHECK_IN_EARLY = timedelta(hours=1)
# A second scan sooner than this after checking in is a double tap or a reload, not leaving.
MIN_STAY = timedelta(minutes=10)
# Checked in later than this after the start: late (the hours count from the arrival: pro rata).
LATE_AFTER = timedelta(minutes=10)
REASON_MAX = Attendance._meta.get_field("reject_reason").max_length
NO_HOURS = (Presence.EXCUSED, Presence.ABSENT, Presence.NOT_APPLICABLE)


def _payload(session, **ids):
    return {**ids, "owner": session.owner}


def _cancelled(owner):
    return owner.fail("session_cancelled", _("This session has been cancelled."))


def _is_cancelled(session_id) -> bool:
    return Session.objects.filter(pk=session_id, status=SessionStatus.CANCELLED).exists()


# -- enrolment ------------------------------------------------------------------------------


def check_enrol(user, session, venue=None) -> Enrolment:
    owner = owner_of(session)
    if session.status == SessionStatus.CANCELLED:
        raise _cancelled(owner)
    now = timezone.now()
    if now < session.signup_opens_at:
        raise owner.fail("signup_not_open", _("Sign-up has not opened yet."))
    if now >= session.signup_closes_at:
        raise owner.fail("signup_closed", _("Sign-up has closed."))
    if owner.check_eligible is not None:
        owner.check_eligible(user, session)
    if venue is None:
        venue = Venue.objects.filter(session_id=session.pk, is_main=True).first()
    if venue is None or venue.session_id != session.pk:
        raise owner.fail("invalid", _("Choose one of the offered venues."), field="venue")
    return do_enrol(user, session, venue)


def do_enrol(user, session, venue) -> Enrolment:
    owner = owner_of(session)
    already = owner.fail("already_signed_up", _("You have already signed up."))
    try:
        with transaction.atomic():
            # The venue row lock makes "count, then take a place" one step under concurrency.
            venue = Venue.objects.select_for_update().get(pk=venue.pk)
            # Under the venue lock: a cancellation either finished (seen here) or waits for this one.
            if _is_cancelled(session.pk):
                raise _cancelled(owner)
            if Enrolment.objects.filter(session_id=session.pk, user=user).exclude(
                    status=EnrolmentStatus.CANCELLED).exists():
                raise already
            taken = Enrolment.objects.filter(venue=venue, status=EnrolmentStatus.CONFIRMED).count()
            status = EnrolmentStatus.CONFIRMED if taken < venue.capacity else EnrolmentStatus.WAITLISTED
            return Enrolment.objects.create(session_id=session.pk, venue=venue, user=user, status=status)
    except IntegrityError:
        raise already from None


def check_cancel_enrolment(user, enrolment) -> Enrolment:
    if enrolment.user_id != user.pk:
        raise Http404
    if enrolment.status == EnrolmentStatus.CANCELLED:
        return enrolment
    session = Session.objects.get(pk=enrolment.session_id)
    owner = owner_of(session)
    if timezone.now() >= session.starts_at:
        raise owner.fail("already_started", _("The session has started; ask the organizer instead."))
    if Attendance.objects.filter(enrolment=enrolment).exists():
        raise owner.fail("already_checked_in", _("You have already checked in."))
    return do_cancel_enrolment(enrolment)


def do_cancel_enrolment(enrolment) -> Enrolment:
    with transaction.atomic():
        venue = Venue.objects.select_for_update().select_related("session").get(pk=enrolment.venue_id)
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.status == EnrolmentStatus.CANCELLED:
            return enrolment
        was_confirmed = enrolment.status == EnrolmentStatus.CONFIRMED
        enrolment.status, enrolment.cancelled_at = EnrolmentStatus.CANCELLED, timezone.now()
        Enrolment.objects.filter(pk=enrolment.pk).update(status=enrolment.status, cancelled_at=enrolment.cancelled_at)
        if was_confirmed:
            promote_waiting(venue)
    return enrolment


def promote_waiting(venue) -> list[int]:
    """Give free places to the venue's waiting list, first come first served. The caller holds the
    venue's row lock (a cancellation, or a capacity raised by the organizer)."""
    taken = Enrolment.objects.filter(venue=venue, status=EnrolmentStatus.CONFIRMED).count()
    free = max(venue.capacity - taken, 0)
    waiting = list(Enrolment.objects.filter(venue=venue, status=EnrolmentStatus.WAITLISTED).order_by("id")
                   .values_list("pk", flat=True)[:free])
    if waiting:
        Enrolment.objects.filter(pk__in=waiting).update(status=EnrolmentStatus.CONFIRMED)
        session = venue.session
        for pk in waiting:
            emit("enrolment.promoted", _payload(session, enrolment=pk))
    return waiting


# -- attendance -----------------------------------------------------------------------------


def _hours_between(start, end) -> Decimal:
    seconds = max((end - start).total_seconds(), 0)
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def credited_hours(session, checked_in_at, checked_out_at) -> Decimal:
    """Hours from the later of check-in and the start to the earlier of check-out and the end, with
    the owner's grace either side: arriving early or staying on after the end is not counted, and
    arriving late counts from the arrival (pro rata)."""
    grace = owner_of(session).hours_grace()
    start = max(checked_in_at, session.starts_at - grace)
    end = min(checked_out_at, session.ends_at + grace)
    return _hours_between(start, end)


def _arrival(session, checked_in_at) -> str:
    return Presence.LATE if checked_in_at > session.starts_at + LATE_AFTER else Presence.PRESENT


def _on_the_map(lat: float, lng: float) -> bool:
    # float() parses "nan" and "inf"; NaN compares False with everything, so test finiteness first.
    return math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180


def check_scan(user, token, lat=None, lng=None, *, owner_prefix=None) -> Attendance:
    """A person scanned a venue's QR code: check in, or check out if already in. A token that is not
    genuine, of another venue's signature or older than two rotations is refused (`bad_token`);
    `owner_prefix` limits the scan to the sessions of one owner (another owner's code is `bad_token`)."""
    now = timezone.now()
    venue_id = checkin.venue_id_from_token(token, now)
    venue = venue_id and Venue.objects.select_related("session").filter(pk=venue_id).first()
    if not venue or (owner_prefix and venue.session.owner_prefix != owner_prefix):
        raise _bad_token(owner_prefix)
    session = venue.session
    owner = owner_of(session)
    if session.status == SessionStatus.CANCELLED:
        raise _cancelled(owner)
    enrolment = Enrolment.objects.filter(session=session, user=user, status=EnrolmentStatus.CONFIRMED).first()
    if enrolment is None:
        raise owner.fail("not_signed_up", _("You have no confirmed place in this session."))
    if enrolment.venue_id != venue.pk:
        raise owner.fail("wrong_venue", _("Your place is at another venue: %(venue)s") % {
            "venue": enrolment.venue.name})
    if venue.geofence_m and venue.lat is not None:
        lat, lng = parse_point(lat, lng) or (math.nan, math.nan)
        if not _on_the_map(lat, lng):
            raise owner.fail("position_required", _("Allow the page to use your position to check in."))
        # Written so that a NaN distance fails closed.
        if not checkin.distance_m(lat, lng, venue.lat, venue.lng) <= venue.geofence_m:
            raise owner.fail("outside_geofence", _("You are too far from the venue to check in."))
    attendance = Attendance.objects.filter(enrolment=enrolment).first()
    if attendance is None:
        if not session.starts_at - CHECK_IN_EARLY <= now <= session.ends_at:
            raise owner.fail("not_now", _("Check-in is open from one hour before the start until the end."))
        return do_check_in(enrolment, session, now, AttendanceMethod.QR)
    if attendance.checked_in_at is None:  # marked excused or absent by the organizer
        raise owner.fail("already_marked", _("The organizer has already recorded your attendance."))
    if attendance.checked_out_at is not None:
        raise owner.fail("already_checked_out", _("You have already checked out."))
    opens = attendance.checked_in_at + MIN_STAY
    if now < opens:
        raise owner.fail("too_soon", _("You are checked in. You can check out from %(time)s.") % {
            "time": timezone.localtime(opens).strftime("%H:%M")})
    return do_check_out(attendance, now)


def _bad_token(prefix):
    from .owners import _OWNERS

    owner = _OWNERS.get(prefix or "")
    message = _("This code has expired or is not genuine. Scan the code on the screen again.")
    return owner.fail("bad_token", message) if owner else EnrolmentError("bad_token", message)


def do_check_in(enrolment, session, when, method) -> Attendance:
    try:
        with transaction.atomic():
            return Attendance.objects.create(enrolment=enrolment, method=method, checked_in_at=when,
                                             presence=_arrival(session, when))
    except IntegrityError:  # a double scan: the first one counts
        return Attendance.objects.get(enrolment=enrolment)


def do_check_out(attendance, when, auto=False) -> Attendance:
    with transaction.atomic():
        attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
        if attendance.checked_out_at is not None or attendance.checked_in_at is None:
            return attendance
        session = Session.objects.only("owner", "starts_at", "ends_at").get(enrolments__attendance=attendance)
        attendance.checked_out_at, attendance.auto_checked_out = when, auto
        attendance.hours = credited_hours(session, attendance.checked_in_at, when)
        Attendance.objects.filter(pk=attendance.pk).update(
            checked_out_at=when, auto_checked_out=auto, hours=attendance.hours)
    return attendance


def _organized_session(organizer, enrolment) -> Session:
    session = Session.objects.get(pk=enrolment.session_id)
    if not owner_of(session).can_organize(organizer, session):
        raise Http404
    return session


def _editable(owner, attendance):
    if attendance is not None and attendance.status != HoursStatus.PENDING:
        raise owner.fail("already_verified", _("These hours have already been verified."))


def check_mark_attendance(organizer, enrolment, checked_in_at, checked_out_at) -> Attendance:
    """The organizer records someone's check-in and check-out (present, or late when they came
    after the start): the hours count from the later of arrival and start."""
    session = _organized_session(organizer, enrolment)
    owner = owner_of(session)
    if session.status == SessionStatus.CANCELLED:
        raise _cancelled(owner)  # its hours could never be approved
    if enrolment.status != EnrolmentStatus.CONFIRMED:
        raise owner.fail("not_confirmed", _("Only people with a confirmed place can be marked present."))
    if not checked_in_at or not checked_out_at or checked_out_at <= checked_in_at:
        raise owner.fail("invalid", _("Check-out must be after check-in."), field="checked_out_at")
    _editable(owner, Attendance.objects.filter(enrolment=enrolment).first())
    return do_mark_attendance(enrolment, session, checked_in_at, checked_out_at)


def do_mark_attendance(enrolment, session, checked_in_at, checked_out_at) -> Attendance:
    fields = {"method": AttendanceMethod.LEADER, "checked_in_at": checked_in_at, "checked_out_at": checked_out_at,
              "hours": credited_hours(session, checked_in_at, checked_out_at), "auto_checked_out": False,
              "presence": _arrival(session, checked_in_at)}
    with transaction.atomic():
        attendance, created = Attendance.objects.select_for_update().get_or_create(enrolment=enrolment,
                                                                                   defaults=fields)
        if not created:
            # Checked again under the lock: the hours may have been verified since the check.
            _editable(owner_of(session), attendance)
            Attendance.objects.filter(pk=attendance.pk).update(**fields)
            attendance.refresh_from_db()
    return attendance


def presence_of(enrolment, session, attendance=None, now=None):
    """What a roll shows for a confirmed enrolment: the recorded presence; absent once the session
    has ended without one; not applicable for someone who enrolled after it began; None while it
    can still happen."""
    if attendance is not None:
        return attendance.presence
    if enrolment.created_at > session.starts_at:
        return Presence.NOT_APPLICABLE
    if (now or timezone.now()) >= session.ends_at:
        return Presence.ABSENT
    return None


def check_mark_presence(organizer, enrolment, presence) -> Attendance:
    """Excused or absent, recorded by the organizer (no hours). Someone who enrolled after the
    session began is not absent from it: their row says not applicable."""
    session = _organized_session(organizer, enrolment)
    owner = owner_of(session)
    if presence not in (Presence.EXCUSED, Presence.ABSENT):
        raise owner.fail("invalid", _("Choose excused or absent."), field="presence")
    if enrolment.status != EnrolmentStatus.CONFIRMED:
        raise owner.fail("not_confirmed", _("Only people with a confirmed place can be marked present."))
    if presence == Presence.ABSENT and enrolment.created_at > session.starts_at:
        presence = Presence.NOT_APPLICABLE
    fields = {"presence": presence, "method": AttendanceMethod.LEADER, "checked_in_at": None,
              "checked_out_at": None, "hours": Decimal(0), "auto_checked_out": False}
    with transaction.atomic():
        attendance, created = Attendance.objects.select_for_update().get_or_create(enrolment=enrolment,
                                                                                   defaults=fields)
        if not created:
            _editable(owner, attendance)
            Attendance.objects.filter(pk=attendance.pk).update(**fields)
            attendance.refresh_from_db()
    return attendance


def do_close_roll(session) -> int:
    """After the session: every confirmed enrolment without attendance gets one, absent or (enrolled
    after the start) not applicable. Safe to run twice."""
    unmarked = Enrolment.objects.filter(session=session, status=EnrolmentStatus.CONFIRMED, attendance__isnull=True)
    rows = [Attendance(enrolment=e, method=AttendanceMethod.LEADER,
                       presence=Presence.NOT_APPLICABLE if e.created_at > session.starts_at else Presence.ABSENT)
            for e in unmarked]
    Attendance.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# -- hours ----------------------------------------------------------------------------------


def _for_verification(organizer, attendance):
    attendance = Attendance.objects.select_related("enrolment").get(pk=attendance.pk)
    session = _organized_session(organizer, attendance.enrolment)
    return attendance, session, owner_of(session)


def check_approve_hours(organizer, attendance) -> Attendance:
    attendance, session, owner = _for_verification(organizer, attendance)
    if session.status == SessionStatus.CANCELLED:
        raise _cancelled(owner)
    if attendance.presence in NO_HOURS:
        raise owner.fail("no_hours", _("There are no hours to approve for someone who did not attend."))
    if attendance.checked_out_at is None:
        raise owner.fail("not_checked_out", _("The person has not checked out yet."))
    return do_approve_hours(organizer, attendance, session)


def do_approve_hours(organizer, attendance, session) -> Attendance:
    """Approve once: the owner's credit (volunteering's points) runs inside this transaction and
    only for the approval that changes the row; a second approval finds it approved."""
    owner = owner_of(session)
    with transaction.atomic():
        locked = Attendance.objects.select_for_update().select_related("enrolment").get(pk=attendance.pk)
        if locked.status == HoursStatus.APPROVED:
            return locked
        points = owner.on_hours_approved(organizer, locked) if owner.on_hours_approved else 0
        now = timezone.now()
        Attendance.objects.filter(pk=locked.pk).update(
            status=HoursStatus.APPROVED, verified_by=organizer, verified_at=now, reject_reason="", points=points)
        emit("enrolment.hours_approved", _payload(session, attendance=locked.pk))
        locked.status, locked.verified_by, locked.verified_at, locked.points = HoursStatus.APPROVED, organizer, now, points
        locked.reject_reason = ""
    return locked


def check_reject_hours(organizer, attendance, reason) -> Attendance:
    attendance, session, owner = _for_verification(organizer, attendance)
    reason = str(reason or "").strip()[:REASON_MAX]
    if not reason:
        raise owner.fail("invalid", _("Give a reason."), field="reason")
    approved = owner.fail("already_approved", _("Approved hours cannot be rejected."))
    if attendance.status == HoursStatus.APPROVED:
        raise approved
    with transaction.atomic():
        locked = Attendance.objects.select_for_update().get(pk=attendance.pk)
        if locked.status == HoursStatus.APPROVED:
            raise approved
        Attendance.objects.filter(pk=locked.pk).update(
            status=HoursStatus.REJECTED, reject_reason=reason, verified_by=organizer, verified_at=timezone.now())
        emit("enrolment.hours_rejected", _payload(session, attendance=locked.pk))
        locked.refresh_from_db()
    return locked


def check_bulk_approve(organizer, candidates) -> int:
    """Approve every pending, checked-out attendance of `candidates` (a queryset the caller already
    limited to what the organizer manages); all or nothing; the count approved."""
    approved = 0
    with transaction.atomic():
        rows = candidates.filter(status=HoursStatus.PENDING, checked_out_at__isnull=False).exclude(
            presence__in=NO_HOURS).select_related("enrolment__session").order_by("pk")  # one lock order
        for attendance in rows:
            do_approve_hours(organizer, attendance, attendance.enrolment.session)
            approved += 1
    return approved


# -- scheduled ------------------------------------------------------------------------------


def do_auto_check_out(now=None, owner_prefix=None) -> int:
    """Check out, flagged, everyone still checked in to a session that has ended."""
    now = now or timezone.now()
    open_ones = Attendance.objects.filter(checked_in_at__isnull=False, checked_out_at__isnull=True,
                                          enrolment__session__ends_at__lte=now)
    if owner_prefix:
        open_ones = open_ones.filter(enrolment__session__owner__startswith=f"{owner_prefix}:")
    count = 0
    for attendance in open_ones.select_related("enrolment__session"):
        done = do_check_out(attendance, attendance.enrolment.session.ends_at, auto=True)
        count += int(done.auto_checked_out)
    return count


def do_send_reminders(now=None, owner_prefix=None) -> int:
    """Remind confirmed people of sessions starting within a day; each enrolment once
    (outbox "enrolment.reminder")."""
    now = now or timezone.now()
    due = Enrolment.objects.filter(
        status=EnrolmentStatus.CONFIRMED, reminded_at__isnull=True,
        session__starts_at__gt=now, session__starts_at__lte=now + timedelta(days=1),
        session__status=SessionStatus.SCHEDULED,
    )
    if owner_prefix:
        due = due.filter(session__owner__startswith=f"{owner_prefix}:")
    sent = 0
    for pk, owner in list(due.values_list("pk", "session__owner")):
        with transaction.atomic():
            # The conditional update is the claim: a second run (or a concurrent one) gets 0 rows.
            if Enrolment.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
                emit("enrolment.reminder", {"enrolment": pk, "owner": owner})
                sent += 1
    return sent
