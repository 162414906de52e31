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
                 it only restates hours a leader verified; 0 hours → nothing_to_certify)

Errors: VolunteeringError (400 in the API) with a stable code; Http404 for what the user may not see.
"""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User, mainland_mobile_validator, normalize_phone
from linli.core.errors import ActionError
from linli.core.ids import is_ascii_number, parse_id, parse_ids, parse_point
from linli.core.outbox import emit
from linli.core.privacy import record_access
from linli.orgs.choices import OrganizationKind
from linli.places.models import Area

from . import checkin, idnumbers, queries
from .choices import (
    ActivityStatus,
    AttendanceMethod,
    Education,
    Gender,
    HoursStatus,
    IdType,
    JoinMode,
    MemberStatus,
    PoliticalStatus,
    ServiceArea,
    SignupStatus,
)
from .models import Activity, Attendance, ServiceCertificate, Signup, TeamMembership, TeamSettings, Venue, Volunteer

# How early before the start a volunteer may check in.
CHECK_IN_EARLY = timedelta(hours=1)
# A second scan sooner than this after checking in is a double tap or a reload, not leaving.
MIN_STAY = timedelta(minutes=10)
MAX_LIST_ITEMS = 20
ID_NUMBER_FIELD = "id_number"


class VolunteeringError(ActionError):
    """Bad input to a volunteering action."""


def _choice(value, choices, field, required=True):
    if not value and not required:
        return ""
    if value not in choices.values:
        raise VolunteeringError("invalid", _("Choose one of the offered values."), field=field)
    return value


def _text_list(values, field, allowed=None):
    if values in (None, ""):
        return []
    if isinstance(values, str):
        values = [v for v in values.replace("，", ",").split(",")]
    if not isinstance(values, (list, tuple)):
        raise VolunteeringError("invalid", _("Give a list."), field=field)
    cleaned = []
    for value in values:
        value = str(value).strip()[:20]
        if value and value not in cleaned:
            cleaned.append(value)
    if len(cleaned) > MAX_LIST_ITEMS:
        raise VolunteeringError("invalid", _("Too many items."), field=field)
    if allowed is not None and set(cleaned) - set(allowed.values):
        raise VolunteeringError("invalid", _("Choose one of the offered values."), field=field)
    return cleaned


# -- volunteers -----------------------------------------------------------------------------


def check_register_volunteer(user, *, area, name="", gender="", id_type=IdType.RESIDENT_ID, id_number="",
                             birth_date=None, phone="", political_status=PoliticalStatus.MASSES, education="",
                             skills=(), service_areas=(), availability="") -> Volunteer:
    if Volunteer.objects.filter(user=user).exists():
        raise VolunteeringError("already_registered", _("You are already registered as a volunteer."))
    profile = _clean_profile(
        user, area=area, phone=phone, political_status=political_status, education=education, skills=skills,
        service_areas=service_areas, availability=availability)
    name = str(name or user.name or "").strip()[:50]
    if not name:
        raise VolunteeringError("invalid", _("Enter your name."), field="name")
    gender = _choice(gender, Gender, "gender")
    id_type = _choice(id_type, IdType, "id_type")
    id_number = idnumbers.normalize(id_number)
    if id_type == IdType.RESIDENT_ID:
        if not idnumbers.is_valid_resident_id(id_number):
            raise VolunteeringError("bad_id_number", _("This is not a valid resident ID number."), field="id_number")
        birth_date = birth_date or idnumbers.birth_date_of(id_number)
        if birth_date != idnumbers.birth_date_of(id_number):
            raise VolunteeringError(
                "invalid", _("The date of birth does not match the ID number."), field="birth_date"
            )
    elif not 5 <= len(id_number) <= 32 or not id_number.isalnum():
        raise VolunteeringError("bad_id_number", _("Enter the document number as printed."), field="id_number")
    if birth_date is None:
        raise VolunteeringError("invalid", _("Enter your date of birth."), field="birth_date")
    if Volunteer.objects.filter(id_type=id_type, id_number=id_number).exists():
        raise VolunteeringError("duplicate_id", _("A volunteer with this ID number is already registered."),
                                field="id_number")
    return do_register_volunteer(
        user, name=name, gender=gender, id_type=id_type, id_number=id_number, birth_date=birth_date, **profile)


def _clean_profile(user, *, area, phone, political_status, education, skills, service_areas, availability) -> dict:
    """The fields a volunteer keeps up to date themself, cleaned (registration and profile edit)."""
    if not isinstance(area, Area) or area.level not in ("community", "street"):
        raise VolunteeringError("invalid", _("Choose your community or street."), field="area")
    phone = normalize_phone(phone or user.phone)
    try:
        mainland_mobile_validator(phone)
    except ValidationError as error:
        raise VolunteeringError("invalid", error.messages[0], field="phone") from None
    return {
        "area": area, "phone": phone,
        "political_status": _choice(political_status, PoliticalStatus, "political_status"),
        "education": _choice(education, Education, "education", required=False),
        "skills": _text_list(skills, "skills"),
        "service_areas": _text_list(service_areas, "service_areas", ServiceArea),
        "availability": str(availability or "").strip()[:200],
    }


def do_register_volunteer(user, *, area, **fields) -> Volunteer:
    try:
        with transaction.atomic():
            # The area row serializes numbering: two registrations never draw the same sequence.
            Area.objects.select_for_update().filter(pk=area.pk).first()
            # Counted by number, not by area: volunteers move to other areas and keep their number.
            prefix = f"V{area.code}"
            sequence = Volunteer.objects.filter(number__startswith=prefix).annotate(
                number_length=Length("number")).filter(number_length=len(prefix) + 5).count() + 1
            return Volunteer.objects.create(user=user, area=area, number=f"{prefix}{sequence:05d}", **fields)
    except IntegrityError:
        raise VolunteeringError("already_registered", _("You are already registered as a volunteer.")) from None


# The national record's identity: set at registration; a volunteer team corrects it, not the volunteer.
IDENTITY_FIELDS = ("name", "gender", "id_type", "id_number", "birth_date")
PROFILE_FIELDS = ("area", "phone", "political_status", "education", "skills", "service_areas", "availability")


def check_update_volunteer(user, volunteer, **fields) -> Volunteer:
    """The volunteer edits their own profile (PROFILE_FIELDS); identity fields are refused."""
    if volunteer.user_id != user.pk:
        raise Http404
    for field in IDENTITY_FIELDS:
        if field in fields:
            raise VolunteeringError(
                "identity_not_editable",
                _("Name, gender, ID type, ID number and date of birth cannot be changed here. "
                  "To change your identity details, contact your volunteer team."), field=field)
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    current = {field: getattr(volunteer, field) for field in PROFILE_FIELDS}
    profile = _clean_profile(user, **{**current, **fields})
    return do_update_volunteer(volunteer, profile)


def do_update_volunteer(volunteer, profile) -> Volunteer:
    with transaction.atomic():
        Volunteer.objects.filter(pk=volunteer.pk).update(**profile)
    for field, value in profile.items():
        setattr(volunteer, field, value)
    return volunteer


def check_reveal_id_number(viewer, volunteer, ip=None) -> str:
    """The full ID number, for leaders and admins of a team the volunteer belongs to or signed up with."""
    if not queries.volunteers_for_manager(viewer).filter(pk=volunteer.pk).exists():
        raise Http404
    return do_reveal_id_number(viewer, volunteer, ip)


def do_reveal_id_number(viewer, volunteer, ip=None) -> str:
    with transaction.atomic():
        record_access(viewer, f"volunteer:{volunteer.number}", ID_NUMBER_FIELD, ip)
    return volunteer.id_number


# -- teams ----------------------------------------------------------------------------------


def join_mode_of(team) -> str:
    settings_row = TeamSettings.objects.filter(team=team).first()
    return settings_row.join_mode if settings_row else JoinMode.OPEN


def _require_team(team):
    if team.kind != OrganizationKind.VOLUNTEER_TEAM:
        raise Http404


def check_set_join_mode(leader, team, join_mode) -> TeamSettings:
    _require_team(team)
    if not queries.can_manage_organization(leader, team):
        raise Http404
    join_mode = _choice(join_mode, JoinMode, "join_mode")
    with transaction.atomic():
        row, _created = TeamSettings.objects.update_or_create(team=team, defaults={"join_mode": join_mode})
    return row


def check_join_team(user, team) -> TeamMembership:
    _require_team(team)
    if not Volunteer.objects.filter(user=user).exists():
        raise VolunteeringError("not_registered", _("Register as a volunteer first."))
    mode = join_mode_of(team)
    if mode == JoinMode.INVITATION:
        raise VolunteeringError("invitation_only", _("This team takes members by invitation only."))
    existing = TeamMembership.objects.filter(team=team, user=user).first()
    if existing and existing.status in (MemberStatus.ACTIVE, MemberStatus.APPLIED):
        return existing
    status = MemberStatus.ACTIVE if mode == JoinMode.OPEN else MemberStatus.APPLIED
    return _do_set_membership(team, user, status)


def check_invite(leader, team, user) -> TeamMembership:
    _require_team(team)
    if not queries.can_manage_organization(leader, team):
        raise Http404
    existing = TeamMembership.objects.filter(team=team, user=user).first()
    if existing and existing.status == MemberStatus.ACTIVE:
        return existing
    return _do_set_membership(team, user, MemberStatus.INVITED, leader)


def check_invite_by_phone(leader, team, phone) -> TeamMembership:
    """`check_invite` for the person signed up with this mobile number (the page and the API
    invite by number); `unknown_phone` when nobody is."""
    number = normalize_phone(phone or "")[:11]
    invitee = User.objects.filter(phone=number, is_active=True).first() if number else None
    if invitee is None:
        raise VolunteeringError("unknown_phone", _("No one has signed up with this mobile number yet."), field="phone")
    return check_invite(leader, team, invitee)


def check_decide_membership(leader, membership, approve: bool) -> TeamMembership:
    if not queries.can_manage_organization(leader, membership.team):
        raise Http404
    if membership.status != MemberStatus.APPLIED:
        raise VolunteeringError("not_applied", _("There is no application to decide."))
    return _do_set_membership(membership.team, membership.user, MemberStatus.ACTIVE if approve else MemberStatus.LEFT,
                              leader)


def check_accept_invitation(user, membership) -> TeamMembership:
    if membership.user_id != user.pk:
        raise Http404
    if membership.status != MemberStatus.INVITED:
        raise VolunteeringError("not_invited", _("There is no invitation to accept."))
    return _do_set_membership(membership.team, user, MemberStatus.ACTIVE)


def _do_set_membership(team, user, status, decided_by=None) -> TeamMembership:
    with transaction.atomic():
        membership, _created = TeamMembership.objects.select_for_update().get_or_create(
            team=team, user=user, defaults={"status": status, "decided_by": decided_by}
        )
        if membership.status != status:
            TeamMembership.objects.filter(pk=membership.pk).update(status=status, decided_by=decided_by,
                                                                   updated_at=timezone.now())
            membership.status, membership.decided_by = status, decided_by
    return membership


# -- activities -----------------------------------------------------------------------------


def _positive_int(value, field, low=1, high=100000):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise VolunteeringError("invalid", _("Enter a whole number."), field=field) from None
    if not low <= number <= high:
        raise VolunteeringError("invalid", _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high},
                                field=field)
    return number


def _on_the_map(lat: float, lng: float) -> bool:
    # float() parses "nan" and "inf"; NaN compares False with everything, so test finiteness first.
    return math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180


def _position(lat, lng, geofence_m, field):
    if lat in (None, "") and lng in (None, ""):
        if geofence_m not in (None, ""):
            raise VolunteeringError("invalid", _("A check-in radius needs the venue's position."), field=field)
        return None, None, None
    if not (is_ascii_number(lat) and is_ascii_number(lng)):
        raise VolunteeringError("invalid", _("Enter the position as numbers."), field=field)
    lat, lng = float(lat), float(lng)
    if not _on_the_map(lat, lng):
        raise VolunteeringError("invalid", _("This position is not on the map."), field=field)
    radius = None if geofence_m in (None, "") else _positive_int(geofence_m, field, 10, 100000)
    return lat, lng, radius


def _require_activity_manager(user, organization):
    if organization is None or not queries.can_manage_organization(user, organization):
        raise Http404


def _clean_activity(organization, *, title, service_area, area, place, starts_at, ends_at, signup_opens_at,
                    signup_closes_at, description, required_skills, points_per_hour) -> dict:
    """An activity's own fields, cleaned (creating and editing)."""
    title = str(title or "").strip()[:120]
    if not title:
        raise VolunteeringError("invalid", _("Enter a title."), field="title")
    service_area = _choice(service_area, ServiceArea, "service_area")
    if not isinstance(area, Area) or not area.path.startswith(organization.area.path):
        raise VolunteeringError("invalid", _("Choose an area the organizer serves."), field="area")
    place = str(place or "").strip()[:200]
    if not place:
        raise VolunteeringError("invalid", _("Enter the place."), field="place")
    if not starts_at or not ends_at or ends_at <= starts_at:
        raise VolunteeringError("invalid", _("The activity must end after it starts."), field="ends_at")
    if not signup_opens_at or not signup_closes_at or signup_closes_at <= signup_opens_at \
            or signup_closes_at > ends_at:
        raise VolunteeringError("invalid", _("Sign-up must close after it opens and before the activity ends."),
                                field="signup_closes_at")
    return {
        "title": title, "service_area": service_area, "area": area, "place": place, "starts_at": starts_at,
        "ends_at": ends_at, "signup_opens_at": signup_opens_at, "signup_closes_at": signup_closes_at,
        "description": str(description or "")[:4000],
        "required_skills": _text_list(required_skills, "required_skills"),
        "points_per_hour": _positive_int(points_per_hour, "points_per_hour", 0, 1000),
    }


def _clean_branches(branches, field="branches") -> list[dict]:
    if not isinstance(branches, (list, tuple)) or len(branches) > MAX_LIST_ITEMS:
        raise VolunteeringError("invalid", _("Give a list of at most 20 branch venues."), field=field)
    venues = []
    for branch in branches:
        if not isinstance(branch, dict) or not str(branch.get("name") or "").strip():
            raise VolunteeringError("invalid", _("Each branch venue needs a name."), field=field)
        venue = {"name": str(branch["name"]).strip()[:120],
                 "capacity": _positive_int(branch.get("capacity"), field)}
        venue["lat"], venue["lng"], venue["geofence_m"] = _position(
            branch.get("lat"), branch.get("lng"), branch.get("geofence_m"), field)
        venues.append(venue)
    return venues


def check_create_activity(user, organization, *, title, service_area, area, place, starts_at, ends_at, capacity,
                          signup_opens_at=None, signup_closes_at=None, description="", required_skills=(),
                          points_per_hour=10, venue_name="", lat=None, lng=None, geofence_m=None, branches=(),
                          is_published=True) -> Activity:
    _require_activity_manager(user, organization)
    fields = _clean_activity(
        organization, title=title, service_area=service_area, area=area, place=place, starts_at=starts_at,
        ends_at=ends_at, signup_opens_at=signup_opens_at or timezone.now(),
        signup_closes_at=signup_closes_at or starts_at, description=description, required_skills=required_skills,
        points_per_hour=points_per_hour)
    main = {"name": str(venue_name or fields["place"]).strip()[:120], "capacity": _positive_int(capacity, "capacity")}
    main["lat"], main["lng"], main["geofence_m"] = _position(lat, lng, geofence_m, "geofence_m")
    venues = [main, *_clean_branches(branches)]
    return do_create_activity(user, organization, venues, is_published=bool(is_published), **fields)


def do_create_activity(user, organization, venues, **fields) -> Activity:
    with transaction.atomic():
        activity = Activity.objects.create(organization=organization, created_by=user, **fields)
        Venue.objects.bulk_create(
            [Venue(activity=activity, is_main=index == 0, **venue) for index, venue in enumerate(venues)]
        )
        emit("volunteering.activity_created", {"activity": activity.pk})
    return activity


# What a leader may change after publishing (venues: `venue_capacities`, `add_branches`).
EDITABLE_ACTIVITY_FIELDS = ("title", "description", "service_area", "place", "starts_at", "ends_at",
                            "signup_opens_at", "signup_closes_at", "required_skills", "points_per_hour")


def _cancelled_error():
    return VolunteeringError("activity_cancelled", _("This activity has been cancelled."))


def _require_changeable(activity, now):
    if activity.status == ActivityStatus.CANCELLED:
        raise _cancelled_error()
    if now >= activity.ends_at:
        raise VolunteeringError("activity_ended", _("This activity has ended and can no longer be changed."))


def check_update_activity(user, activity, *, venue_capacities=None, add_branches=(), **fields) -> Activity:
    """Whoever may create the organization's activities edits one, until it ends or is cancelled.

    `venue_capacities` {venue id: places}: never below the venue's confirmed sign-ups; more places
    promote its waiting list. `add_branches` as check_create_activity's `branches`. A new time
    tells everyone signed up (and reminds them again before the new start)."""
    activity = Activity.objects.select_related("organization__area", "area").get(pk=activity.pk)
    _require_activity_manager(user, activity.organization)
    unknown = set(fields) - set(EDITABLE_ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    now = timezone.now()
    _require_changeable(activity, now)
    current = {field: getattr(activity, field) for field in (*EDITABLE_ACTIVITY_FIELDS, "area")}
    given = {field: value for field, value in fields.items() if value is not None}
    if "signup_closes_at" not in given and current["signup_closes_at"] == current["starts_at"]:
        # Sign-up closed "when the activity starts" (the default): it moves with the start.
        given["signup_closes_at"] = given.get("starts_at") or current["starts_at"]
    cleaned = _clean_activity(activity.organization, **{**current, **given})
    if cleaned["ends_at"] <= now:
        raise VolunteeringError("invalid", _("The activity cannot be moved into the past."), field="ends_at")
    capacities = {}
    if venue_capacities:
        if not isinstance(venue_capacities, dict):
            raise VolunteeringError("invalid", _("Choose a venue of this activity."), field="venues")
        own = set(activity.venues.values_list("pk", flat=True))
        for venue_id, capacity in venue_capacities.items():
            venue_id = parse_id(venue_id)
            if venue_id not in own:
                raise VolunteeringError("invalid", _("Choose a venue of this activity."), field="venues")
            capacities[venue_id] = _positive_int(capacity, "venues")
    branches = _clean_branches(add_branches or [], "add_branches")
    if activity.venues.count() + len(branches) > MAX_LIST_ITEMS + 1:
        raise VolunteeringError("invalid", _("Give a list of at most 20 branch venues."), field="add_branches")
    changes = {field: value for field, value in cleaned.items() if value != current.get(field)}
    return do_update_activity(user, activity, changes, capacities, branches)


def do_update_activity(user, activity, changes, capacities, branches) -> Activity:
    with transaction.atomic():
        # Activity, then its venues: the order do_cancel_activity locks in too. NO KEY: a sign-up in
        # flight holds its venue and needs a key-share lock on the activity (its foreign key).
        locked = Activity.objects.select_for_update(no_key=True).get(pk=activity.pk)
        _require_changeable(locked, timezone.now())
        if changes:
            Activity.objects.filter(pk=locked.pk).update(**changes)
        venues = Venue.objects.select_for_update().filter(activity=locked, pk__in=list(capacities)).order_by("pk")
        for venue in venues:
            if capacities[venue.pk] == venue.capacity:
                continue
            confirmed = Signup.objects.filter(venue=venue, status=SignupStatus.CONFIRMED).count()
            if capacities[venue.pk] < confirmed:
                raise VolunteeringError(
                    "capacity_below_signups",
                    _("%(venue)s already has %(count)d confirmed volunteers; it cannot have fewer places.")
                    % {"venue": venue.name, "count": confirmed}, field="venues")
            venue.capacity = capacities[venue.pk]
            Venue.objects.filter(pk=venue.pk).update(capacity=venue.capacity)
            _promote_first_waiting(venue)
        if branches:
            Venue.objects.bulk_create([Venue(activity=locked, is_main=False, **venue) for venue in branches])
        if "starts_at" in changes or "ends_at" in changes:
            live = Signup.objects.filter(activity=locked).exclude(status=SignupStatus.CANCELLED)
            signup_ids = list(live.order_by("pk").values_list("pk", flat=True))
            # Remind again before the new start.
            live.update(reminded_at=None)
            if signup_ids:
                emit("volunteering.rescheduled", {"activity": locked.pk, "signups": signup_ids})
        emit("volunteering.activity_updated", {"activity": locked.pk, "by": user.pk, "fields": sorted(changes)})
    activity.refresh_from_db()
    return activity


def check_cancel_activity(user, activity, reason) -> Activity:
    """Cancel before the end, with a reason: every sign-up and waiting place is cancelled and the
    volunteers are told; nobody earns hours or points from it."""
    activity = Activity.objects.select_related("organization__area").get(pk=activity.pk)
    _require_activity_manager(user, activity.organization)
    reason = str(reason or "").strip()[:200]
    if not reason:
        raise VolunteeringError("invalid", _("Give a reason."), field="reason")
    _require_changeable(activity, timezone.now())
    return do_cancel_activity(user, activity, reason)


def do_cancel_activity(user, activity, reason) -> Activity:
    with transaction.atomic():
        locked = Activity.objects.select_for_update(no_key=True).get(pk=activity.pk)  # NO KEY: see do_update_activity
        _require_changeable(locked, timezone.now())
        # Hours already approved have posted points; cancelling cannot take them back.
        if Attendance.objects.filter(signup__activity=locked, status=HoursStatus.APPROVED).exists():
            raise VolunteeringError("hours_approved",
                                    _("Hours of this activity have been approved; it can no longer be cancelled."))
        # The venue locks wait out sign-ups in flight; do_signup then sees the cancellation.
        list(Venue.objects.select_for_update().filter(activity=locked).order_by("pk").values_list("pk", flat=True))
        now = timezone.now()
        Activity.objects.filter(pk=locked.pk).update(
            status=ActivityStatus.CANCELLED, cancel_reason=reason, cancelled_at=now, cancelled_by=user)
        live = Signup.objects.filter(activity=locked).exclude(status=SignupStatus.CANCELLED)
        signup_ids = list(live.order_by("pk").values_list("pk", flat=True))
        live.update(status=SignupStatus.CANCELLED, cancelled_at=now)
        Attendance.objects.filter(signup__activity=locked).exclude(status=HoursStatus.APPROVED).update(
            status=HoursStatus.REJECTED, reject_reason=reason, hours=0, verified_by=user, verified_at=now)
        Attendance.objects.filter(signup__activity=locked, checked_out_at__isnull=True).update(checked_out_at=now)
        if signup_ids:
            emit("volunteering.activity_cancelled", {"activity": locked.pk, "signups": signup_ids})
    activity.refresh_from_db()
    return activity


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


# -- certificates ---------------------------------------------------------------------------

CERTIFICATE_PREFIX = "ZYZM"
# Concurrent issues race for the next number; each round at least one wins, the others draw again.
NUMBER_ATTEMPTS = 20


def check_issue_certificate(actor, volunteer, *, organization, date_from, date_to) -> ServiceCertificate:
    """A certificate of the volunteer's verified hours with `organization` over [date_from, date_to].

    The volunteer may issue one for themself (as the national system lets volunteers print their
    record): it restates only hours a leader approved. Otherwise the actor must manage an
    organization the volunteer served with; anyone else gets 404."""
    if volunteer.user_id != actor.pk and not (
            queries.volunteers_for_manager(actor).filter(pk=volunteer.pk).exists()
            and organization is not None and queries.can_manage_organization(actor, organization)):
        raise Http404
    # Fresh from the database: an organization's tree path moves when a sibling is inserted before it.
    organization = organization and queries.served_organizations(volunteer).filter(pk=organization.pk).first()
    if organization is None:
        raise VolunteeringError("not_served", _("Choose an organization the volunteer served with."),
                                field="organization")
    if date_from is None or date_to is None:
        raise VolunteeringError("invalid", _("Enter the period."), field="date_from")
    if date_to < date_from:
        raise VolunteeringError("invalid", _("The end of the period must not be before its start."),
                                field="date_to")
    if date_to > timezone.localdate():
        raise VolunteeringError("invalid", _("The period cannot end in the future."), field="date_to")
    attendances = list(queries.approved_service(volunteer, organization, date_from, date_to))
    if not sum((a.hours for a in attendances), Decimal(0)) > 0:
        raise VolunteeringError("nothing_to_certify", _("There are no verified hours in this period."))
    return do_issue_certificate(actor, volunteer, organization, date_from, date_to, attendances)


def _entries(attendances):
    return [{"date": timezone.localtime(a.signup.activity.starts_at).date().isoformat(),
             "title": a.signup.activity.title, "hours": str(a.hours)} for a in attendances]


def do_issue_certificate(actor, volunteer, organization, date_from, date_to, attendances) -> ServiceCertificate:
    import secrets

    now = timezone.now()
    prefix = f"{CERTIFICATE_PREFIX}-{timezone.localtime(now).year}-"
    for _attempt in range(NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                last = ServiceCertificate.objects.filter(number__startswith=prefix).order_by("-number").values_list(
                    "number", flat=True).first()
                sequence = int(last[len(prefix):]) + 1 if last else 1
                certificate = ServiceCertificate.objects.create(
                    number=f"{prefix}{sequence:06d}", volunteer=volunteer, organization=organization,
                    date_from=date_from, date_to=date_to, hours=sum((a.hours for a in attendances), Decimal(0)),
                    entries=_entries(attendances), issued_by=actor, issued_at=now,
                    token=secrets.token_urlsafe(32))
                emit("volunteering.certificate_issued", {"certificate": certificate.pk})
                return certificate
        except IntegrityError:
            continue  # a concurrent issue took the number: draw the next one
    raise VolunteeringError("busy", _("Please try again."))

