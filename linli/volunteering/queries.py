"""Reads: who manages what, scoped querysets and lists. No writes."""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q

from linli.accounts.choices import Role
from linli.accounts.queries import resident_community  # noqa: F401 — the forms' default community
from linli.core.scoping import scope_for
from linli.orgs.choices import MembershipRole, MembershipStatus
from linli.orgs.models import Membership

from .choices import ActivityStatus, HoursStatus, SignupStatus
from .models import Activity, Attendance, Enrolment, Venue, Volunteer


def can_manage_organization(user, organization) -> bool:
    # Asked of the database: an organization's path moves when a sibling is inserted before it.
    scope = scope_for(user, "volunteering.manage")
    if scope.is_global:
        return True
    return managed_organizations(user).filter(pk=organization.pk).exists()


def is_manager(user) -> bool:
    return not scope_for(user, "volunteering.manage").is_empty


def managed_organizations(user):
    from linli.orgs.models import Organization

    return scope_for(user, "volunteering.manage").filter(Organization.objects.all(), area_path="area__path", org_path="path")


def managed_activities(user):
    return scope_for(user, "volunteering.manage").filter(
        Activity.objects.all(), area_path="organization__area__path", org_path="organization__path"
    )


def _with_counts(queryset):
    return queryset.select_related("organization", "area").annotate(
        capacity_total=_capacity_subquery(),
        confirmed_count=Count("enrolments", filter=Q(enrolments__status=SignupStatus.CONFIRMED), distinct=True),
        waitlist_count=Count("enrolments", filter=Q(enrolments__status=SignupStatus.WAITLISTED), distinct=True),
    )


def _capacity_subquery():
    from django.db.models import IntegerField, OuterRef, Subquery, Sum
    from django.db.models.functions import Coalesce

    total = Venue.objects.filter(session=OuterRef("pk")).values("session").annotate(s=Sum("capacity")).values("s")
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


def published_activities(user=None):
    """Published activities not cancelled (any signed-in user sees them), soonest first, with capacity
    and counts; with `user`, whether that user holds a live sign-up (`my_status`)."""
    queryset = _with_counts(Activity.objects.filter(is_published=True).exclude(status=ActivityStatus.CANCELLED))
    if user is not None and user.is_authenticated:
        mine = Enrolment.objects.filter(session=OuterRef("pk"), user=user).exclude(status=SignupStatus.CANCELLED)
        queryset = queryset.annotate(signed_up=Exists(mine))
    return queryset.order_by("starts_at", "id")


def activities_for_manager(user):
    return _with_counts(managed_activities(user)).order_by("-starts_at", "-id")


def visible_activity(user, pk):
    """The activity if the user may see it: published and not cancelled, run by the user, or one
    the user signed up for (so a cancelled one stays visible to its volunteers); else None."""
    return (published_activities().filter(pk=pk).first()
            or activities_for_manager(user).filter(pk=pk).first()
            or _with_counts(Activity.objects.filter(
                pk=pk, is_published=True, pk__in=Enrolment.objects.filter(user=user).values("session"))).first())


def venues_of(activity):
    return list(
        activity.venues.annotate(
            confirmed_count=Count("enrolments", filter=Q(enrolments__status=SignupStatus.CONFIRMED)),
            waitlist_count=Count("enrolments", filter=Q(enrolments__status=SignupStatus.WAITLISTED)),
        )
    )


def my_signups(user):
    return (
        Enrolment.objects.filter(user=user)
        .select_related("session__activity__organization", "venue", "attendance")
        .order_by("-session__starts_at", "-id")
    )


def my_current_signups(user):
    """Live sign-ups, and those the activity's cancellation ended (shown with its reason); not the
    ones the volunteer cancelled themself."""
    cancelled_with_activity = Q(session__status=ActivityStatus.CANCELLED,
                                cancelled_at__gte=F("session__cancelled_at"))
    return my_signups(user).filter(~Q(status=SignupStatus.CANCELLED) | cancelled_with_activity)


def my_attendances(user):
    return (
        Attendance.objects.filter(enrolment__user=user)
        .select_related("enrolment__session__activity", "enrolment__venue")
        .order_by("-checked_in_at")
    )


def approved_hours_of(user):
    from django.db.models import Sum

    return Attendance.objects.filter(enrolment__user=user, status=HoursStatus.APPROVED).aggregate(h=Sum("hours"))["h"] or 0


def roster(activity):
    """Sign-ups of an activity with their attendance and volunteer profile, queue order."""
    return (
        activity.enrolments.exclude(status=SignupStatus.CANCELLED)
        .select_related("user", "user__volunteer", "venue", "attendance")
        .order_by("venue__is_main", "venue_id", "status", "id")
    )


def attendances_for_manager(user):
    return Attendance.objects.filter(
        enrolment__session__activity__in=managed_activities(user).values("pk")
    ).select_related("enrolment__user", "enrolment__user__volunteer", "enrolment__session__activity", "enrolment__venue")


def signups_for_manager(user):
    """Sign-ups of the activities the user runs (any status)."""
    return Enrolment.objects.filter(session__in=managed_activities(user).values("pk")).select_related(
        "session__activity__organization__area", "user")


def volunteers_for_manager(user):
    """Volunteers who are members of, or signed up with, an organization the user manages."""
    organizations = managed_organizations(user).values("pk")
    members = Membership.objects.members().active().filter(organization__in=organizations).values("user")
    signed_up = Enrolment.objects.filter(session__activity__organization__in=organizations).values("user")
    return Volunteer.objects.filter(Q(user__in=members) | Q(user__in=signed_up)).select_related("area")




# -- certificates ---------------------------------------------------------------------------

# Who may issue a certificate: volunteer teams and civilization-practice centers/stations.
CERTIFYING_KINDS = ("volunteer_team", "civ_center")


def _approved(volunteer):
    return Attendance.objects.filter(enrolment__user_id=volunteer.user_id, status=HoursStatus.APPROVED)


def served_organizations(volunteer):
    """Teams and centers the volunteer has verified hours with: an activity's organizer or one of
    its parents in the organization tree (a center certifies the hours served with its teams)."""
    from linli.orgs.models import Organization

    steplen = Organization.steplen
    paths = set()
    for path in _approved(volunteer).values_list("enrolment__session__activity__organization__path", flat=True).distinct():
        paths.update(path[:end] for end in range(steplen, len(path) + 1, steplen))
    return Organization.objects.filter(path__in=paths, kind__in=CERTIFYING_KINDS).order_by("name", "pk")


def approved_service(volunteer, organization, date_from, date_to):
    """Approved attendances of the volunteer with the organization (its subtree) whose activity
    started within [date_from, date_to] (local dates), oldest first."""
    return (
        _approved(volunteer)
        .filter(enrolment__session__activity__organization__path__startswith=organization.path,
                enrolment__session__activity__starts_at__date__gte=date_from, enrolment__session__activity__starts_at__date__lte=date_to)
        .select_related("enrolment__session__activity")
        .order_by("enrolment__session__activity__starts_at", "pk")
    )


def certificates_visible_to(user):
    """One's own certificates, and those of the organizations one manages."""
    from .models import ServiceCertificate

    if user is None or not user.is_authenticated:
        return ServiceCertificate.objects.none()
    return ServiceCertificate.objects.filter(
        Q(volunteer__user=user) | Q(organization__in=managed_organizations(user).values("pk"))
    ).select_related("volunteer", "organization", "issued_by")


def my_certificates(user):
    from .models import ServiceCertificate

    return ServiceCertificate.objects.filter(volunteer__user=user).select_related("volunteer", "organization")


# -- teams ----------------------------------------------------------------------------------


# For counting a team's members through Organization.memberships.
ACTIVE_MEMBER_ROWS = Q(memberships__role=MembershipRole.MEMBER, memberships__status=MembershipStatus.ACTIVE)


def teams_for(user, volunteer=None, include_managed=False):
    """Volunteer teams serving the volunteer's area (the team's area is that area or one above it,
    the rule of orgs.coverage_visible), plus any team the user already has a membership with (and,
    with `include_managed`, the teams the user manages); annotated with `my_status` ('' when none),
    and `member_count` (active members)."""
    from django.db.models import CharField, Subquery, Value
    from django.db.models.functions import Coalesce

    from linli.orgs.models import Organization
    from linli.places.models import Area

    serving = Q(pk__in=Membership.objects.members().filter(user=user).values("organization"))
    if include_managed:
        serving |= Q(pk__in=managed_organizations(user).values("pk"))
    if volunteer is not None:
        path, steplen = volunteer.area.path, Area.steplen
        serving |= Q(area__path__in=[path[:end] for end in range(steplen, len(path) + 1, steplen)])
    mine = Membership.objects.members().filter(organization=OuterRef("pk"), user=user).values("status")[:1]
    return (
        Organization.objects.filter(serving, kind="volunteer_team")
        .select_related("area")
        .annotate(
            my_status=Coalesce(Subquery(mine, output_field=CharField()), Value("")),
            member_count=Count("memberships", filter=ACTIVE_MEMBER_ROWS),
        )
        .order_by("name", "pk")
    )


def managed_teams(user):
    return managed_organizations(user).filter(kind="volunteer_team").order_by("name", "pk")


def team_memberships(team, status):
    """Memberships of a team in one status, with the person and their volunteer record."""
    return (
        Membership.objects.members().filter(organization=team, status=status)
        .select_related("user", "user__volunteer")
        .order_by("-updated_at", "-pk")
    )


def team_members(team, statuses):
    """Memberships of a team in any of `statuses`, with the person and their volunteer record,
    active members first, then by name."""
    from django.db.models import Case, IntegerField, Value, When

    ranks = (MembershipStatus.ACTIVE, MembershipStatus.APPLIED, MembershipStatus.INVITED, MembershipStatus.LEFT,
             MembershipStatus.REMOVED)
    order = Case(*[When(status=status, then=Value(n)) for n, status in enumerate(ranks)], output_field=IntegerField())
    return with_leader_flag(
        Membership.objects.members().filter(organization=team, status__in=statuses)
        .select_related("user", "user__volunteer"), team
    ).order_by(order, "user__name", "pk")


def with_leader_flag(memberships, team):
    """Memberships annotated with `is_leader`: the person holds the team leader role on the team itself."""
    from linli.accounts.models import RoleAssignment

    leader = RoleAssignment.objects.filter(role=Role.VOLUNTEER_TEAM_LEADER, organization=team, user=OuterRef("user"))
    return memberships.annotate(is_leader=Exists(leader))


def describe_activities(user, ids):
    """The points statement's line for entries of these activities (points.register_entry_source)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from linli.points.queries import Source

    return {
        activity.pk: Source(_("Volunteer activity: %(name)s") % {"name": activity.title},
                            reverse("volunteering:activity", args=[activity.pk]) if activity.is_published else "")
        for activity in Activity.objects.filter(pk__in=ids).only("pk", "title", "is_published")
    }
