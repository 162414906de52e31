"""Volunteering API (mounted at /api/volunteering/).

    GET  activities/                     published activities, soonest first (?managed=1: the ones you run)
    POST activities/                     create (team leaders and organization admins in scope)
    GET  activities/{id}/                one activity with its venues and counts
    PATCH activities/{id}/               edit (its managers, until it ends): fields, {"venues": [{"id", "capacity"}]},
                                         {"add_branches": [...]}; 400 `capacity_below_signups`, `activity_ended`
    POST activities/{id}/cancel/         {"reason"}: cancel; sign-ups cancelled, volunteers told
    POST activities/{id}/signup/         {"venue"?} → the sign-up (confirmed or waitlisted)
    GET  signups/                        your sign-ups;  POST signups/{id}/cancel/
    POST signups/{id}/mark/              {"checked_in_at"?, "checked_out_at"?}: a leader records a confirmed
                                         volunteer present (default: the activity's whole time); 400
                                         `already_verified`, `not_confirmed`, `activity_cancelled`
    GET  volunteers/                     volunteers of the teams you manage (ID numbers masked)
    GET  volunteers/me/  POST volunteers/register/   your record; register
    PATCH volunteers/me/                 edit your profile; identity fields → 400 `identity_not_editable`
    POST volunteers/{number}/reveal-id/  the full ID number (managers only; every reveal recorded)
    GET  attendances/?activity=          attendance of activities you run
    POST attendances/{id}/approve/  attendances/{id}/reject/ {"reason"}  attendances/bulk-approve/ {"ids"}
    POST scan/                           {"token", "lat"?, "lng"?}: check in, or out if already in
                                         (400 `too_soon` within MIN_STAY of checking in)
    GET  certificates/                   your service certificates and those of organizations you manage
    POST certificates/                   {"volunteer"?, "organization", "date_from", "date_to"} → issue one
    GET  certificates/{number}/pdf/      the PDF (503 `pdf_unavailable` when the server lacks the CJK font)
    POST certificates/{number}/revoke/   {"reason"} → revoked (managers of the issuing organization)
    teams/...                            volunteer teams: join, leave, invitations, members (team_api.py)

Errors: 400 with a stable `code` from the actions, 404 outside your role or scope.
"""

from django.http import Http404, HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from linli.core import certificates
from linli.core.api import ActionErrorsMixin, ApiErrorSerializer, error_body, error_responses
from linli.core.ids import parse_id
from linli.places.models import Area

from . import actions, queries
from .certificate_pdf import FontUnavailable, render_certificate
from .models import Activity, Attendance, Enrolment, Venue, Volunteer
from .serializers import (
    ActivityCreateSerializer,
    ActivityDetailSerializer,
    ActivityListSerializer,
    ActivityUpdateSerializer,
    AttendanceSerializer,
    BulkApproveSerializer,
    BulkResultSerializer,
    CancelActivitySerializer,
    CertificateIssueSerializer,
    CertificateRevokeSerializer,
    CertificateSerializer,
    MarkAttendanceSerializer,
    MyVolunteerSerializer,
    ProfileUpdateSerializer,
    RegisterSerializer,
    RejectSerializer,
    RevealSerializer,
    ScanSerializer,
    SignupRequestSerializer,
    SignupSerializer,
    VolunteerSerializer,
)
from .team_api import TeamViewSet

ERRORS = error_responses()


def _area_by_code(code, field="area"):
    area = Area.objects.filter(code=str(code)).first()
    if area is None:
        raise actions.VolunteeringError("invalid", Area._meta.verbose_name, field=field)
    return area


class ActivityViewSet(ActionErrorsMixin, viewsets.GenericViewSet):
    serializer_class = ActivityListSerializer
    queryset = Activity.objects.none()

    def get_queryset(self):
        return queries.published_activities()

    @extend_schema(
        parameters=[OpenApiParameter("managed", bool, description="the activities you run, drafts included")],
        responses={200: ActivityListSerializer(many=True), 401: ERRORS[401]},
    )
    def list(self, request):
        managed = request.query_params.get("managed") in ("1", "true")
        queryset = queries.activities_for_manager(request.user) if managed else self.get_queryset()
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ActivityListSerializer(page, many=True).data)

    def _activity(self, pk):
        pk = parse_id(pk)
        if pk is None:
            raise Http404
        activity = queries.visible_activity(self.request.user, pk)
        if activity is None:
            raise Http404
        activity.venue_list = queries.venues_of(activity)
        return activity

    @extend_schema(responses={200: ActivityDetailSerializer, 401: ERRORS[401], 404: ERRORS[404]})
    def retrieve(self, request, pk=None):
        return Response(ActivityDetailSerializer(self._activity(pk)).data)

    @extend_schema(request=ActivityCreateSerializer, responses={201: ActivityDetailSerializer, **ERRORS})
    def create(self, request):
        data = ActivityCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        organization = queries.managed_organizations(request.user).filter(pk=fields.pop("organization")).first()
        if organization is None:
            raise Http404
        fields["area"] = _area_by_code(fields["area"])
        activity = actions.check_create_activity(request.user, organization, **fields)
        return Response(ActivityDetailSerializer(self._activity(activity.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ActivityUpdateSerializer, responses={200: ActivityDetailSerializer, **ERRORS})
    def partial_update(self, request, pk=None):
        activity = self._activity(pk)
        data = ActivityUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "venues" in fields:
            fields["venue_capacities"] = {venue["id"]: venue["capacity"] for venue in fields.pop("venues")}
        actions.check_update_activity(request.user, activity, **fields)
        return Response(ActivityDetailSerializer(self._activity(activity.pk)).data)

    @extend_schema(request=CancelActivitySerializer, responses={200: ActivityDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        activity = self._activity(pk)
        data = CancelActivitySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.check_cancel_activity(request.user, activity, data.validated_data.get("reason", ""))
        return Response(ActivityDetailSerializer(self._activity(activity.pk)).data)

    @extend_schema(request=SignupRequestSerializer, responses={201: SignupSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def signup(self, request, pk=None):
        data = SignupRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        activity = self._activity(pk)
        venue = None
        if data.validated_data.get("venue"):
            venue = Venue.objects.filter(pk=data.validated_data["venue"], session=activity).first()
            if venue is None:
                raise actions.VolunteeringError("invalid", "venue", field="venue")
        signup = actions.check_signup(request.user, activity, venue)
        return Response(SignupSerializer(signup).data, status=status.HTTP_201_CREATED)


class SignupViewSet(ActionErrorsMixin, viewsets.GenericViewSet):
    serializer_class = SignupSerializer
    queryset = Enrolment.objects.none()

    def get_queryset(self):
        return queries.my_signups(self.request.user)

    @extend_schema(responses={200: SignupSerializer(many=True), 401: ERRORS[401]})
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(SignupSerializer(page, many=True).data)

    @extend_schema(request=None, responses={200: SignupSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        signup = self.get_object()
        return Response(SignupSerializer(actions.check_cancel_signup(request.user, signup)).data)

    @extend_schema(request=MarkAttendanceSerializer, responses={200: AttendanceSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def mark(self, request, pk=None):
        """A leader records a confirmed volunteer present (the page's "mark present", with times)."""
        signup_id = parse_id(pk)
        signup = queries.signups_for_manager(request.user).filter(pk=signup_id).first() if signup_id else None
        if signup is None:
            raise Http404
        data = MarkAttendanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attendance = actions.check_mark_attendance(
            request.user, signup, data.validated_data.get("checked_in_at", signup.session.activity.starts_at),
            data.validated_data.get("checked_out_at", signup.session.activity.ends_at))
        return Response(AttendanceSerializer(queries.attendances_for_manager(request.user).get(pk=attendance.pk)).data)


class VolunteerViewSet(ActionErrorsMixin, viewsets.GenericViewSet):
    serializer_class = VolunteerSerializer
    queryset = Volunteer.objects.none()
    lookup_field = "number"
    lookup_value_regex = r"V[0-9]{1,20}"

    def get_queryset(self):
        return queries.volunteers_for_manager(self.request.user).order_by("number")

    @extend_schema(responses={200: VolunteerSerializer(many=True), 401: ERRORS[401]})
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(VolunteerSerializer(page, many=True).data)

    @extend_schema(responses={200: VolunteerSerializer, 401: ERRORS[401], 404: ERRORS[404]})
    def retrieve(self, request, number=None):
        return Response(VolunteerSerializer(self.get_object()).data)

    def _mine(self):
        volunteer = Volunteer.objects.select_related("area").filter(user=self.request.user).first()
        if volunteer is None:
            raise Http404
        return volunteer

    @extend_schema(responses={200: MyVolunteerSerializer, 401: ERRORS[401], 404: ERRORS[404]})
    @action(detail=False, methods=["get"])
    def me(self, request):
        return Response(MyVolunteerSerializer(self._mine()).data)

    @extend_schema(request=ProfileUpdateSerializer, responses={200: MyVolunteerSerializer, **ERRORS})
    @me.mapping.patch
    def update_me(self, request):
        volunteer = self._mine()
        data = ProfileUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        # Identity fields go to the action, which refuses them (rather than ignoring them silently).
        fields.update({name: request.data[name] for name in actions.IDENTITY_FIELDS if name in request.data})
        if "area" in fields:
            fields["area"] = _area_by_code(fields["area"])
        volunteer = actions.check_update_volunteer(request.user, volunteer, **fields)
        return Response(MyVolunteerSerializer(volunteer).data)

    @extend_schema(request=RegisterSerializer, responses={201: MyVolunteerSerializer, **ERRORS})
    @action(detail=False, methods=["post"])
    def register(self, request):
        data = RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["area"] = _area_by_code(fields["area"])
        volunteer = actions.check_register_volunteer(request.user, **fields)
        return Response(MyVolunteerSerializer(volunteer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RevealSerializer, 401: ERRORS[401], 404: ERRORS[404]})
    @action(detail=True, methods=["post"], url_path="reveal-id")
    def reveal_id(self, request, number=None):
        volunteer = Volunteer.objects.filter(number=number).first()
        if volunteer is None:
            raise Http404
        full = actions.check_reveal_id_number(request.user, volunteer, request.META.get("REMOTE_ADDR"))
        return Response({"id_number": full})


class AttendanceViewSet(ActionErrorsMixin, viewsets.GenericViewSet):
    serializer_class = AttendanceSerializer
    queryset = Attendance.objects.none()

    def get_queryset(self):
        queryset = queries.attendances_for_manager(self.request.user).order_by("-checked_in_at", "-id")
        activity = self.request.query_params.get("activity")
        if activity:
            activity_id = parse_id(activity)
            queryset = queryset.filter(enrolment__session_id=activity_id) if activity_id else queryset.none()
        return queryset

    @extend_schema(parameters=[OpenApiParameter("activity", int)],
                   responses={200: AttendanceSerializer(many=True), 401: ERRORS[401]})
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(AttendanceSerializer(page, many=True).data)

    @extend_schema(request=None, responses={200: AttendanceSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        attendance = self.get_object()
        actions.check_approve_hours(request.user, attendance)
        return Response(AttendanceSerializer(self.get_queryset().get(pk=attendance.pk)).data)

    @extend_schema(request=RejectSerializer, responses={200: AttendanceSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        attendance = self.get_object()
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.check_reject_hours(request.user, attendance, data.validated_data["reason"])
        return Response(AttendanceSerializer(self.get_queryset().get(pk=attendance.pk)).data)

    @extend_schema(request=BulkApproveSerializer, responses={200: BulkResultSerializer, **ERRORS})
    @action(detail=False, methods=["post"], url_path="bulk-approve")
    def bulk_approve(self, request):
        data = BulkApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"approved": actions.check_bulk_approve(request.user, data.validated_data["ids"])})


class ScanView(ActionErrorsMixin, APIView):
    """A scanned venue code: check in, or check out if already in."""

    @extend_schema(request=ScanSerializer, responses={200: AttendanceSerializer, **ERRORS})
    def post(self, request):
        data = ScanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attendance = actions.check_scan(request.user, data.validated_data["token"],
                                        data.validated_data.get("lat"), data.validated_data.get("lng"))
        attendance = Attendance.objects.select_related("enrolment__user__volunteer").get(pk=attendance.pk)
        return Response(AttendanceSerializer(attendance).data)


class CertificateViewSet(ActionErrorsMixin, viewsets.GenericViewSet):
    serializer_class = CertificateSerializer
    queryset = Volunteer.objects.none()
    lookup_field = "number"
    lookup_value_regex = r"[A-Za-z0-9-]{1,24}"

    def get_queryset(self):
        return queries.certificates_visible_to(self.request.user).order_by("-issued_at", "-id")

    @extend_schema(responses={200: CertificateSerializer(many=True), 401: ERRORS[401]})
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CertificateSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(request=CertificateIssueSerializer, responses={201: CertificateSerializer, **ERRORS})
    def create(self, request):
        data = CertificateIssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        number = fields.pop("volunteer", "")
        volunteer = Volunteer.objects.filter(**({"number": number} if number else {"user": request.user})).first()
        if volunteer is None:
            raise Http404
        from linli.orgs.models import Organization

        fields["organization"] = Organization.objects.filter(pk=fields["organization"]).first()
        certificate = actions.check_issue_certificate(request.user, volunteer, **fields)
        certificate = self.get_queryset().get(pk=certificate.pk)
        return Response(CertificateSerializer(certificate, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses={
        (200, "application/pdf"): OpenApiTypes.BINARY, 401: ERRORS[401], 404: ERRORS[404],
        503: OpenApiResponse(ApiErrorSerializer, description="`pdf_unavailable`: the server lacks the CJK font"),
    })
    @action(detail=True, methods=["get"])
    def pdf(self, request, number=None):
        certificate = self.get_queryset().filter(number=number).first()
        if certificate is None:
            raise Http404
        try:
            content = render_certificate(certificate, certificates.check_url(request, certificate))
        except FontUnavailable:
            return Response(error_body("pdf_unavailable", _("The PDF cannot be made right now: the font for "
                                                            "Chinese text is not installed on the server.")),
                            status=status.HTTP_503_SERVICE_UNAVAILABLE)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
        return response

    @extend_schema(request=CertificateRevokeSerializer, responses={200: CertificateSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def revoke(self, request, number=None):
        certificate = self.get_queryset().filter(number=number).first()
        if certificate is None:
            raise Http404
        data = CertificateRevokeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.check_revoke_certificate(request.user, certificate, data.validated_data["reason"])
        certificate = self.get_queryset().get(pk=certificate.pk)
        return Response(CertificateSerializer(certificate, context={"request": request}).data)


urlpatterns = [path("volunteering/scan/", ScanView.as_view(), name="api-volunteering-scan")]


def register(router):
    """Register this app's viewsets on the API router (mounted at /api/)."""
    router.register("volunteering/activities", ActivityViewSet, basename="volunteering-activity")
    router.register("volunteering/signups", SignupViewSet, basename="volunteering-signup")
    router.register("volunteering/volunteers", VolunteerViewSet, basename="volunteering-volunteer")
    router.register("volunteering/attendances", AttendanceViewSet, basename="volunteering-attendance")
    router.register("volunteering/certificates", CertificateViewSet, basename="volunteering-certificate")
    router.register("volunteering/teams", TeamViewSet, basename="volunteering-team")
