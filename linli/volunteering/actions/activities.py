"""Activities: create, edit, cancel, with their venues. The write contract is the package's text."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.ids import is_ascii_number, parse_id
from linli.core.outbox import emit
from linli.places.models import Area

from .. import queries
from ..choices import (
    ActivityStatus,
    HoursStatus,
    ServiceArea,
    SignupStatus,
)
from ..models import (
    Activity,
    Attendance,
    Enrolment,
    Venue,
)
from .common import (
    MAX_LIST_ITEMS,
    VolunteeringError,
    _cancelled_error,
    _choice,
    _on_the_map,
    _text_list,
)
from .signups import _promote_first_waiting

# The enrolment owner of activities (see apps.py): sessions "volunteering.activity:<id>".
OWNER = "volunteering.activity"

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
        # The session's owner key names the activity, so it is known once the row has its id.
        activity.owner = f"{OWNER}:{activity.pk}"
        Activity.objects.filter(pk=activity.pk).update(owner=activity.owner)
        Venue.objects.bulk_create(
            [Venue(session=activity, is_main=index == 0, **venue) for index, venue in enumerate(venues)]
        )
        emit("volunteering.activity_created", {"activity": activity.pk})
    return activity


# What a leader may change after publishing (venues: `venue_capacities`, `add_branches`).
EDITABLE_ACTIVITY_FIELDS = ("title", "description", "service_area", "place", "starts_at", "ends_at",
                            "signup_opens_at", "signup_closes_at", "required_skills", "points_per_hour")




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
        venues = Venue.objects.select_for_update().filter(session=locked, pk__in=list(capacities)).order_by("pk")
        for venue in venues:
            if capacities[venue.pk] == venue.capacity:
                continue
            confirmed = Enrolment.objects.filter(venue=venue, status=SignupStatus.CONFIRMED).count()
            if capacities[venue.pk] < confirmed:
                raise VolunteeringError(
                    "capacity_below_signups",
                    _("%(venue)s already has %(count)d confirmed volunteers; it cannot have fewer places.")
                    % {"venue": venue.name, "count": confirmed}, field="venues")
            venue.capacity = capacities[venue.pk]
            Venue.objects.filter(pk=venue.pk).update(capacity=venue.capacity)
            _promote_first_waiting(venue)
        if branches:
            Venue.objects.bulk_create([Venue(session=locked, is_main=False, **venue) for venue in branches])
        if "starts_at" in changes or "ends_at" in changes:
            live = Enrolment.objects.filter(session=locked).exclude(status=SignupStatus.CANCELLED)
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
        if Attendance.objects.filter(enrolment__session=locked, status=HoursStatus.APPROVED).exists():
            raise VolunteeringError("hours_approved",
                                    _("Hours of this activity have been approved; it can no longer be cancelled."))
        # The venue locks wait out sign-ups in flight; do_signup then sees the cancellation.
        list(Venue.objects.select_for_update().filter(session=locked).order_by("pk").values_list("pk", flat=True))
        now = timezone.now()
        Activity.objects.filter(pk=locked.pk).update(
            status=ActivityStatus.CANCELLED, cancel_reason=reason, cancelled_at=now, cancelled_by=user)
        live = Enrolment.objects.filter(session=locked).exclude(status=SignupStatus.CANCELLED)
        signup_ids = list(live.order_by("pk").values_list("pk", flat=True))
        live.update(status=SignupStatus.CANCELLED, cancelled_at=now)
        Attendance.objects.filter(enrolment__session=locked).exclude(status=HoursStatus.APPROVED).update(
            status=HoursStatus.REJECTED, reject_reason=reason, hours=0, verified_by=user, verified_at=now)
        Attendance.objects.filter(enrolment__session=locked, checked_out_at__isnull=True).update(checked_out_at=now)
        if signup_ids:
            emit("volunteering.activity_cancelled", {"activity": locked.pk, "signups": signup_ids})
    activity.refresh_from_db()
    return activity
