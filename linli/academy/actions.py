"""Every write of the academy: check_* validates input and permission, do_* writes. Classes are
enrolment sessions (owner "academy.session:<id>"): places, check-in, presence and hours are the
engine's; a trainee is enrolled in every class of the subjects meant for their tier.

Programs     check_create_program(actor, organization, *, title, area, starts_on, ends_on) -> Program
             do_add_subject(program, category, name, planned_hours, tiers={tier: required}, teacher="")
             do_set_rule(program, tier, min_hours)
Classes      check_add_class(actor, program, subject, *, starts_at, ends_at, venue, capacity) -> ClassSession
             (the trainees of the subject's tiers are enrolled in it)
Trainees     check_enrol_trainee(actor, program, user, *, tier, community) -> Trainee
             (enrolled in every class of the subjects of the tier, past ones included: a class
             held before the enrolment reads "not applicable", not absent)
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import ActionError
from linli.core.scoping import can
from linli.enrolment import actions as enrolment
from linli.enrolment.models import Venue

from .choices import Tier
from .models import ClassSession, CompletionRule, Program, Subject, SubjectCategory, SubjectTier, Trainee

OWNER = "academy.session"


class AcademyError(ActionError):
    pass


def _require_organizer(actor, organization):
    if not can(actor, "academy.organize", organization):
        raise Http404


def can_organize_session(user, session):
    classes = ClassSession.objects.select_related("program__organization").filter(pk=session.pk).first()
    return classes is not None and can(user, "academy.organize", classes.program.organization)


def check_eligible(user, session):
    """A class is for the program's trainees whose tier the subject is meant for."""
    session = ClassSession.objects.get(pk=session.pk)
    trainee = Trainee.objects.filter(program_id=session.program_id, user=user).first()
    if trainee is None or not SubjectTier.objects.filter(subject_id=session.subject_id, tier=trainee.tier).exists():
        raise AcademyError("not_eligible", _("This class is not in your training plan."))


def _hours(value, field):
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise AcademyError("invalid", _("Enter the hours as a number."), field=field) from None
    if not hours.is_finite() or hours < 0 or hours > 1000:
        raise AcademyError("invalid", _("Enter hours from 0 to 1000."), field=field)
    return hours.quantize(Decimal("0.01"))


def check_create_program(actor, organization, *, title, area, starts_on, ends_on) -> Program:
    _require_organizer(actor, organization)
    title = str(title or "").strip()[:120]
    if not title:
        raise AcademyError("invalid", _("Give the program a title."), field="title")
    if not starts_on or not ends_on or ends_on < starts_on:
        raise AcademyError("invalid", _("The program must end after it starts."), field="ends_on")
    return Program.objects.create(organization=organization, title=title, area=area, starts_on=starts_on,
                                  ends_on=ends_on, created_by=actor)


@transaction.atomic
def do_add_subject(program, category, name, planned_hours, tiers, teacher="") -> Subject:
    if not tiers or set(tiers) - set(Tier.values):
        raise AcademyError("invalid", _("Choose the tiers the subject is meant for."), field="tiers")
    category, _created = SubjectCategory.objects.get_or_create(
        program=program, name=category, defaults={"order": program.categories.count()})
    subject = Subject.objects.create(program=program, category=category, name=name, teacher=teacher,
                                     planned_hours=_hours(planned_hours, "planned_hours"),
                                     order=program.subjects.count())
    SubjectTier.objects.bulk_create([SubjectTier(subject=subject, tier=tier, required=bool(required))
                                     for tier, required in tiers.items()])
    return subject


def do_set_rule(program, tier, min_hours) -> CompletionRule:
    rule, _created = CompletionRule.objects.update_or_create(program=program, tier=tier,
                                                             defaults={"min_hours": _hours(min_hours, "min_hours")})
    return rule


def check_add_class(actor, program, subject, *, starts_at, ends_at, venue, capacity) -> ClassSession:
    _require_organizer(actor, program.organization)
    if subject.program_id != program.pk:
        raise Http404
    if not starts_at or not ends_at or ends_at <= starts_at:
        raise AcademyError("invalid", _("The class must end after it starts."), field="ends_at")
    with transaction.atomic():
        session = ClassSession.objects.create(
            program=program, subject=subject, title=subject.name, starts_at=starts_at, ends_at=ends_at,
            signup_opens_at=min(timezone.now(), starts_at), signup_closes_at=ends_at)
        session.owner = f"{OWNER}:{session.pk}"
        ClassSession.objects.filter(pk=session.pk).update(owner=session.owner)
        main = Venue.objects.create(session=session, name=str(venue)[:120], is_main=True, capacity=int(capacity))
        tiers = SubjectTier.objects.filter(subject=subject).values("tier")
        for trainee in Trainee.objects.filter(program=program, tier__in=tiers).select_related("user"):
            enrolment.do_enrol(trainee.user, session, main)
    return session


def check_enrol_trainee(actor, program, user, *, tier, community) -> Trainee:
    _require_organizer(actor, program.organization)
    if tier not in Tier.values:
        raise AcademyError("invalid", _("Choose the trainee's tier."), field="tier")
    if not community.path.startswith(program.area.path):
        raise AcademyError("invalid", _("Choose a community the program serves."), field="community")
    with transaction.atomic():
        if Trainee.objects.filter(program=program, user=user).exists():
            raise AcademyError("already_enrolled", _("%(name)s is already a trainee of this program.")
                               % {"name": user.name})
        trainee = Trainee.objects.create(program=program, user=user, tier=tier, community=community,
                                         enrolled_at=timezone.now())
        subjects = SubjectTier.objects.filter(subject__program=program, tier=tier).values("subject")
        for session in ClassSession.objects.filter(program=program, subject__in=subjects).order_by("starts_at"):
            main = Venue.objects.get(session=session, is_main=True)
            enrolment.do_enrol(user, session, main)
    return trainee
