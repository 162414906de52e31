"""Sign-ups: an activity's enrolments (the enrolment engine takes the place, keeps the waiting
list and promotes from it). The write contract is the package's text."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from linli.enrolment import actions as enrolment

from ..models import Enrolment, Volunteer
from .common import VolunteeringError


def check_eligible(user, activity) -> None:
    """The enrolment engine asks before a place is taken: a registered volunteer with the skills."""
    volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is None:
        raise VolunteeringError("not_registered", _("Register as a volunteer first."))
    activity = getattr(activity, "activity", activity)  # the engine passes the session
    missing = set(activity.required_skills) - set(volunteer.skills)
    if missing:
        raise VolunteeringError(
            "missing_skills", _("This activity needs these skills: %(skills)s") % {"skills": "、".join(sorted(missing))}
        )


def check_signup(user, activity, venue=None) -> Enrolment:
    if not activity.is_published:
        raise Http404
    return enrolment.check_enrol(user, activity, venue)


def do_signup(user, activity, venue) -> Enrolment:
    return enrolment.do_enrol(user, activity, venue)


def check_cancel_signup(user, signup) -> Enrolment:
    return enrolment.check_cancel_enrolment(user, signup)


def do_cancel_signup(signup) -> Enrolment:
    return enrolment.do_cancel_enrolment(signup)


_promote_first_waiting = enrolment.promote_waiting
