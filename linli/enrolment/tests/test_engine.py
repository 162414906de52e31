"""The enrolment engine on a test owner ("test.class"): the waiting list and its promotion (under
concurrency on PostgreSQL), the eligibility hook, rotating signed check-in codes (stale, forged and
other owners' refused), presence (late pro rata, excused, absent, not applicable after a late
enrolment), and hours verified once however often, and however concurrently, they are approved."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import signing
from django.db import connection
from django.http import Http404

from linli.core.errors import ActionError
from linli.core.models import OutboxMessage
from linli.core.testing import make_person
from linli.enrolment import actions, checkin
from linli.enrolment.choices import Presence
from linli.enrolment.models import Enrolment, Session, Venue
from linli.enrolment.owners import _OWNERS, EnrolmentError, register_owner

OWNER = "test.class"


@pytest.fixture
def owner():
    """Organizers by id; eligible unless the person's name starts with "未"; approving credits 7."""
    organizers, credited = set(), []

    def check_eligible(user, session):
        if user.name.startswith("未"):
            raise EnrolmentError("not_eligible", "不在本期培训对象范围内")

    def on_hours_approved(actor, attendance):
        credited.append(attendance.pk)
        return 7

    register_owner(OWNER, can_organize=lambda user, session: user.pk in organizers, check_eligible=check_eligible,
                   on_hours_approved=on_hours_approved)
    yield organizers, credited
    _OWNERS.pop(OWNER, None)


@pytest.fixture
def make_session(db):
    def make(capacity=2, starts_in=timedelta(days=1), hours=3, branches=(), key="1"):
        from django.utils import timezone

        now = timezone.now()
        session = Session.objects.create(owner=f"{OWNER}:{key}", title="危机应对", starts_at=now + starts_in,
                                         ends_at=now + starts_in + timedelta(hours=hours),
                                         signup_opens_at=now - timedelta(days=1),
                                         signup_closes_at=now + starts_in + timedelta(hours=hours))
        Venue.objects.create(session=session, name="街道党群服务中心", is_main=True, capacity=capacity,
                             lat=24.48, lng=118.09, geofence_m=200)
        for name in branches:
            Venue.objects.create(session=session, name=name, capacity=capacity)
        return session
    return make


def people(n, prefix="学员"):
    return [make_person(f"139000011{i:02d}", f"{prefix}{i}") for i in range(n)]


def test_a_full_venue_waitlists_and_a_cancellation_promotes_the_first(owner, make_session):
    session = make_session(capacity=2)
    a, b, c, d = people(4)
    enrolled = [actions.check_enrol(person, session) for person in (a, b, c, d)]
    assert [e.status for e in enrolled] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    with pytest.raises(EnrolmentError) as twice:
        actions.check_enrol(a, session)
    assert twice.value.code == "already_signed_up"
    with pytest.raises(Http404):
        actions.check_cancel_enrolment(b, enrolled[0])  # not one's own
    actions.check_cancel_enrolment(a, enrolled[0])
    statuses = list(Enrolment.objects.filter(session=session).order_by("id").values_list("status", flat=True))
    assert statuses == ["cancelled", "confirmed", "confirmed", "waitlisted"]
    assert list(OutboxMessage.objects.filter(topic="enrolment.promoted").values_list("payload", flat=True)) == [
        {"enrolment": enrolled[2].pk, "owner": session.owner}]


def test_the_owner_decides_who_is_eligible_before_a_place_is_taken(owner, make_session):
    session = make_session(capacity=1)
    outsider = make_person("13900001199", "未报名者")
    with pytest.raises(EnrolmentError) as refused:
        actions.check_enrol(outsider, session)
    assert refused.value.code == "not_eligible" and not Enrolment.objects.exists()
    other = Venue.objects.create(session=make_session(key="2"), name="别的场地", capacity=5)
    with pytest.raises(EnrolmentError) as wrong_venue:
        actions.check_enrol(people(1)[0], session, other)
    assert wrong_venue.value.field == "venue"


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_enrolments_and_cancellations_keep_the_capacity_and_promote_in_order(owner, make_session):
    session = make_session(capacity=3)
    everyone = people(10)

    def run_all(work, items):
        barrier, errors = threading.Barrier(len(items)), []

        def one(item):
            barrier.wait()
            try:
                work(item)
            except Exception as error:  # noqa: BLE001 — collected and asserted below
                errors.append(error)
            finally:
                connection.close()
        threads = [threading.Thread(target=one, args=(item,)) for item in items]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []

    run_all(lambda person: actions.check_enrol(person, session), everyone)
    rows = list(Enrolment.objects.filter(session=session).order_by("id"))
    assert [r.status for r in rows].count("confirmed") == 3 and len(rows) == 10
    confirmed = [r for r in rows if r.status == "confirmed"]
    waiting = [r.pk for r in rows if r.status == "waitlisted"]
    # The three with places cancel at once: the first three waiting (by arrival) get them, once each.
    run_all(lambda row: actions.check_cancel_enrolment(row.user, row), confirmed)
    now_confirmed = list(Enrolment.objects.filter(session=session, status="confirmed").order_by("id")
                         .values_list("pk", flat=True))
    assert now_confirmed == waiting[:3]
    promoted = sorted(p["enrolment"] for p in OutboxMessage.objects.filter(topic="enrolment.promoted")
                      .values_list("payload", flat=True))
    assert promoted == waiting[:3]


def test_stale_forged_and_other_owners_codes_are_refused(owner, make_session, clock, settings):
    settings.CHECKIN_QR_ROTATE_SECONDS = 30
    session = make_session(starts_in=timedelta(minutes=5))
    person = people(1)[0]
    actions.check_enrol(person, session)
    venue = session.venues.get()
    stale = checkin.make_token(venue.pk)
    clock.advance(61)  # two rotations later
    forged = signing.TimestampSigner(key="not-the-secret", salt=checkin.SALT).sign(
        f"{venue.pk}.{checkin.current_slot()}")
    renamed = checkin.make_token(venue.pk).replace(f"{venue.pk}.", f"{venue.pk + 1}.", 1)
    here = {"lat": 24.4801, "lng": 118.0901}
    for token in (stale, forged, renamed, "", "x" * 500):
        with pytest.raises(EnrolmentError) as refused:
            actions.check_scan(person, token, **here)
        assert refused.value.code == "bad_token", token
    with pytest.raises(ActionError) as other_owner:  # in that owner's words (volunteering's error)
        actions.check_scan(person, checkin.make_token(venue.pk), owner_prefix="volunteering.activity", **here)
    assert other_owner.value.code == "bad_token"
    with pytest.raises(EnrolmentError) as far:
        actions.check_scan(person, checkin.make_token(venue.pk), lat=24.60, lng=118.09)
    assert far.value.code == "outside_geofence"
    attendance = actions.check_scan(person, checkin.make_token(venue.pk), **here)
    assert attendance.presence == Presence.PRESENT and attendance.method == "qr"


def test_late_counts_from_the_arrival_and_excused_or_absent_earn_nothing(owner, make_session, clock):
    organizers, _credited = owner
    organizer = make_person("13900001198", "班主任")
    session = make_session(starts_in=timedelta(hours=1), hours=3)
    late, excused = people(2)
    late_row, excused_row = actions.check_enrol(late, session), actions.check_enrol(excused, session)
    with pytest.raises(Http404):
        actions.check_mark_attendance(organizer, late_row, session.starts_at, session.ends_at)
    organizers.add(organizer.pk)
    marked = actions.check_mark_attendance(organizer, late_row, session.starts_at + timedelta(minutes=45),
                                           session.ends_at)
    assert (marked.presence, marked.hours) == (Presence.LATE, Decimal("2.25"))  # 2 h 15 of the 3
    off = actions.check_mark_presence(organizer, excused_row, Presence.EXCUSED)
    assert (off.presence, off.hours, off.checked_in_at) == (Presence.EXCUSED, 0, None)
    with pytest.raises(EnrolmentError) as nothing:
        actions.check_approve_hours(organizer, off)
    assert nothing.value.code == "no_hours"
    with pytest.raises(EnrolmentError) as not_a_presence:
        actions.check_mark_presence(organizer, excused_row, "present")
    assert not_a_presence.value.field == "presence"


def test_someone_who_enrolled_after_the_session_began_is_not_absent_from_it(owner, make_session, clock):
    organizers, _credited = owner
    organizer = make_person("13900001198", "班主任")
    organizers.add(organizer.pk)
    session = make_session(capacity=3, starts_in=timedelta(hours=1), hours=2)
    early, missed, late_comer = people(3)
    early_row = actions.check_enrol(early, session)
    missed_row = actions.check_enrol(missed, session)
    clock.advance(hours=1, minutes=30)  # the session is under way
    late_row = actions.check_enrol(late_comer, session)
    assert actions.presence_of(late_row, session) == Presence.NOT_APPLICABLE
    assert actions.presence_of(missed_row, session) is None  # it is still on
    marked = actions.check_mark_presence(organizer, late_row, Presence.ABSENT)
    assert marked.presence == Presence.NOT_APPLICABLE
    actions.check_mark_attendance(organizer, early_row, session.starts_at, session.ends_at)
    clock.advance(hours=2)
    assert actions.presence_of(missed_row, session) == Presence.ABSENT
    assert actions.do_close_roll(session) == 1
    assert actions.do_close_roll(session) == 0  # safe to run twice
    presences = dict(Enrolment.objects.filter(session=session).values_list("user__name", "attendance__presence"))
    assert presences == {"学员0": "present", "学员1": "absent", "学员2": "not_applicable"}


def test_hours_are_verified_once_when_approved_twice(owner, make_session, clock):
    organizers, credited = owner
    organizer = make_person("13900001198", "班主任")
    organizers.add(organizer.pk)
    session = make_session(starts_in=timedelta(hours=1))
    row = actions.check_enrol(people(1)[0], session)
    attendance = actions.check_mark_attendance(organizer, row, session.starts_at, session.ends_at)
    first = actions.check_approve_hours(organizer, attendance)
    second = actions.check_approve_hours(organizer, attendance)
    assert (first.status, first.points, second.points) == ("approved", 7, 7)
    assert credited == [attendance.pk]
    assert OutboxMessage.objects.filter(topic="enrolment.hours_approved").count() == 1
    with pytest.raises(EnrolmentError) as too_late:
        actions.check_reject_hours(organizer, attendance, "弄错了")
    assert too_late.value.code == "already_approved"
    with pytest.raises(EnrolmentError) as locked:
        actions.check_mark_attendance(organizer, row, session.starts_at, session.ends_at)
    assert locked.value.code == "already_verified"


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_credit_once(owner, make_session):
    organizers, credited = owner
    organizer = make_person("13900001198", "班主任")
    organizers.add(organizer.pk)
    session = make_session(starts_in=timedelta(hours=1))
    rows = [actions.check_enrol(person, session) for person in people(2)]
    attendances = [actions.check_mark_attendance(organizer, r, session.starts_at, session.ends_at) for r in rows]
    barrier, errors = threading.Barrier(6), []

    def approve(index):
        barrier.wait()
        try:
            if index % 2:
                actions.check_approve_hours(organizer, attendances[0])
            else:
                actions.check_bulk_approve(organizer, type(attendances[0]).objects.filter(
                    pk__in=[a.pk for a in attendances]))
        except Exception as error:  # noqa: BLE001 — collected and asserted below
            errors.append(error)
        finally:
            connection.close()
    threads = [threading.Thread(target=approve, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(credited) == sorted(a.pk for a in attendances)
    assert OutboxMessage.objects.filter(topic="enrolment.hours_approved").count() == 2
