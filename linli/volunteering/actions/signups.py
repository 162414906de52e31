"""Sign-ups: places, the waitlist and its promotion, cancellation. The write contract is the package's text."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.outbox import emit

from ..choices import (
    ActivityStatus,
    SignupStatus,
)
from ..models import (
    Activity,
    Attendance,
    Signup,
    Venue,
    Volunteer,
)
from .common import VolunteeringError, _cancelled_error

# -- sign-ups -------------------------------------------------------------------------------


def check_signup(user, activity, venue=None) -> Signup:
    if not activity.is_published:
        raise Http404
    if activity.status == ActivityStatus.CANCELLED:
        raise _cancelled_error()
    volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is None:
        raise VolunteeringError("not_registered", _("Register as a volunteer first."))
    now = timezone.now()
    if now < activity.signup_opens_at:
        raise VolunteeringError("signup_not_open", _("Sign-up has not opened yet."))
    if now >= activity.signup_closes_at:
        raise VolunteeringError("signup_closed", _("Sign-up has closed."))
    missing = set(activity.required_skills) - set(volunteer.skills)
    if missing:
        raise VolunteeringError(
            "missing_skills", _("This activity needs these skills: %(skills)s") % {"skills": "、".join(sorted(missing))}
        )
    if venue is None:
        venue = activity.venues.filter(is_main=True).first()
    if venue is None or venue.activity_id != activity.pk:
        raise VolunteeringError("invalid", _("Choose a venue of this activity."), field="venue")
    return do_signup(user, activity, venue)


def do_signup(user, activity, venue) -> Signup:
    try:
        with transaction.atomic():
            # The venue row lock makes "count, then take a place" one step under concurrency.
            venue = Venue.objects.select_for_update().get(pk=venue.pk)
            # Under the venue lock: a cancellation either finished (seen here) or waits for this sign-up.
            if Activity.objects.filter(pk=activity.pk, status=ActivityStatus.CANCELLED).exists():
                raise _cancelled_error()
            if Signup.objects.filter(activity=activity, user=user).exclude(status=SignupStatus.CANCELLED).exists():
                raise VolunteeringError("already_signed_up", _("You have already signed up for this activity."))
            taken = Signup.objects.filter(venue=venue, status=SignupStatus.CONFIRMED).count()
            status = SignupStatus.CONFIRMED if taken < venue.capacity else SignupStatus.WAITLISTED
            return Signup.objects.create(activity=activity, venue=venue, user=user, status=status)
    except IntegrityError:
        raise VolunteeringError("already_signed_up", _("You have already signed up for this activity.")) from None


def check_cancel_signup(user, signup) -> Signup:
    if signup.user_id != user.pk:
        raise Http404
    if signup.status == SignupStatus.CANCELLED:
        return signup
    if timezone.now() >= signup.activity.starts_at:
        raise VolunteeringError("already_started", _("The activity has started; ask the leader instead."))
    if Attendance.objects.filter(signup=signup).exists():
        raise VolunteeringError("already_checked_in", _("You have already checked in."))
    return do_cancel_signup(signup)


def do_cancel_signup(signup) -> Signup:
    with transaction.atomic():
        Venue.objects.select_for_update().filter(pk=signup.venue_id).first()
        signup = Signup.objects.select_for_update().get(pk=signup.pk)
        if signup.status == SignupStatus.CANCELLED:
            return signup
        was_confirmed = signup.status == SignupStatus.CONFIRMED
        signup.status, signup.cancelled_at = SignupStatus.CANCELLED, timezone.now()
        Signup.objects.filter(pk=signup.pk).update(status=signup.status, cancelled_at=signup.cancelled_at)
        if was_confirmed:
            _promote_first_waiting(signup.venue)
    return signup


def _promote_first_waiting(venue):
    """Give freed places to the venue's waiting list, first come first served (venue row locked)."""
    taken = Signup.objects.filter(venue=venue, status=SignupStatus.CONFIRMED).count()
    free = max(venue.capacity - taken, 0)
    waiting = list(
        Signup.objects.filter(venue=venue, status=SignupStatus.WAITLISTED).order_by("id").values_list("pk", flat=True)[:free]
    )
    if waiting:
        Signup.objects.filter(pk__in=waiting).update(status=SignupStatus.CONFIRMED)
        for pk in waiting:
            emit("volunteering.promoted", {"signup": pk})
