"""API serializers: output shapes and input parsing (validation of meaning is in the actions)."""

from rest_framework import serializers

from linli.core import certificates
from linli.core.ids import MAX_ID, CoordinateSerializerField

from .choices import Education, Gender, IdType, PoliticalStatus, ServiceArea
from .models import Activity, Attendance, Enrolment, ServiceCertificate, Venue, Volunteer


class VolunteerSerializer(serializers.ModelSerializer):
    """A volunteer as their team's managers see them: the ID number masked (350***********1234) and no
    date of birth, which with the area would give back the hidden digits; the full number only
    through reveal (recorded)."""

    id_number = serializers.CharField(source="masked_id_number", read_only=True)
    area = serializers.CharField(source="area.code", read_only=True)

    class Meta:
        model = Volunteer
        fields = ["number", "name", "gender", "id_type", "id_number", "area", "political_status",
                  "education", "skills", "service_areas", "availability", "registered_at"]


class RegisterSerializer(serializers.Serializer):
    area = serializers.CharField(help_text="code of your community or street")
    name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    gender = serializers.ChoiceField(Gender.choices)
    id_type = serializers.ChoiceField(IdType.choices, default=IdType.RESIDENT_ID)
    id_number = serializers.CharField(max_length=40)
    birth_date = serializers.DateField(required=False, allow_null=True)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    political_status = serializers.ChoiceField(PoliticalStatus.choices, default=PoliticalStatus.MASSES)
    education = serializers.ChoiceField(Education.choices, required=False, allow_blank=True)
    skills = serializers.ListField(child=serializers.CharField(max_length=20), required=False, max_length=20)
    service_areas = serializers.ListField(child=serializers.ChoiceField(ServiceArea.choices), required=False)
    availability = serializers.CharField(required=False, allow_blank=True, max_length=200)


class MyVolunteerSerializer(VolunteerSerializer):
    """One's own record: with one's own date of birth and mobile number."""

    class Meta(VolunteerSerializer.Meta):
        fields = [*VolunteerSerializer.Meta.fields, "birth_date", "phone"]


class ProfileUpdateSerializer(serializers.Serializer):
    """What a volunteer may change of their record. Identity fields (name, gender, id_type, id_number,
    birth_date) are refused with 400 `identity_not_editable`: a volunteer team corrects those."""

    area = serializers.CharField(required=False, max_length=40, help_text="code of your community or street")
    phone = serializers.CharField(required=False, max_length=20)
    political_status = serializers.ChoiceField(PoliticalStatus.choices, required=False)
    education = serializers.ChoiceField(Education.choices, required=False, allow_blank=True)
    skills = serializers.ListField(child=serializers.CharField(max_length=20), required=False, max_length=20)
    service_areas = serializers.ListField(child=serializers.ChoiceField(ServiceArea.choices), required=False,
                                          max_length=20)
    availability = serializers.CharField(required=False, allow_blank=True, max_length=200)


class RevealSerializer(serializers.Serializer):
    id_number = serializers.CharField()


class VenueSerializer(serializers.ModelSerializer):
    confirmed_count = serializers.IntegerField(read_only=True, required=False)
    waitlist_count = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = Venue
        fields = ["id", "name", "is_main", "capacity", "lat", "lng", "geofence_m", "confirmed_count", "waitlist_count"]


class ActivityListSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.name", read_only=True)
    area = serializers.CharField(source="area.code", read_only=True)
    capacity = serializers.IntegerField(source="capacity_total", read_only=True)
    confirmed_count = serializers.IntegerField(read_only=True)
    waitlist_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Activity
        fields = ["id", "title", "service_area", "organization", "area", "place", "starts_at", "ends_at",
                  "signup_opens_at", "signup_closes_at", "required_skills", "points_per_hour", "capacity",
                  "confirmed_count", "waitlist_count", "status", "cancel_reason"]


class ActivityDetailSerializer(ActivityListSerializer):
    venues = VenueSerializer(many=True, read_only=True, source="venue_list")

    class Meta(ActivityListSerializer.Meta):
        fields = [*ActivityListSerializer.Meta.fields, "description", "venues"]


class BranchSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    capacity = serializers.IntegerField(min_value=1, max_value=100000)
    lat = CoordinateSerializerField(required=False, allow_null=True)
    lng = CoordinateSerializerField(required=False, allow_null=True)
    geofence_m = serializers.IntegerField(required=False, allow_null=True, min_value=10, max_value=100000)


class ActivityCreateSerializer(serializers.Serializer):
    organization = serializers.IntegerField(min_value=1, max_value=MAX_ID,
                                            help_text="id of the team or organization that runs it")
    title = serializers.CharField(max_length=120)
    service_area = serializers.ChoiceField(ServiceArea.choices)
    description = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    area = serializers.CharField(help_text="area code")
    place = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    signup_opens_at = serializers.DateTimeField(required=False, allow_null=True)
    signup_closes_at = serializers.DateTimeField(required=False, allow_null=True)
    capacity = serializers.IntegerField(min_value=1, max_value=100000, help_text="places at the main venue")
    venue_name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    lat = CoordinateSerializerField(required=False, allow_null=True)
    lng = CoordinateSerializerField(required=False, allow_null=True)
    geofence_m = serializers.IntegerField(required=False, allow_null=True, min_value=10, max_value=100000)
    required_skills = serializers.ListField(child=serializers.CharField(max_length=20), required=False, max_length=20)
    points_per_hour = serializers.IntegerField(required=False, default=10, min_value=0, max_value=1000)
    branches = BranchSerializer(many=True, required=False, max_length=20)


class VenueCapacitySerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="a venue of this activity")
    capacity = serializers.IntegerField(min_value=1, max_value=100000,
                                        help_text="not below its confirmed sign-ups; more places promote the waiting list")


class ActivityUpdateSerializer(serializers.Serializer):
    """Every field optional: only what is sent changes. A new time tells everyone signed up."""

    title = serializers.CharField(required=False, max_length=120)
    service_area = serializers.ChoiceField(ServiceArea.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    place = serializers.CharField(required=False, max_length=200)
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)
    signup_opens_at = serializers.DateTimeField(required=False)
    signup_closes_at = serializers.DateTimeField(required=False)
    required_skills = serializers.ListField(child=serializers.CharField(max_length=20), required=False, max_length=20)
    points_per_hour = serializers.IntegerField(required=False, min_value=0, max_value=1000)
    venues = VenueCapacitySerializer(many=True, required=False, max_length=21, help_text="new places per venue")
    add_branches = BranchSerializer(many=True, required=False, max_length=20, help_text="new branch venues")


class CancelActivitySerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="required")


class SignupRequestSerializer(serializers.Serializer):
    venue = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID,
                                     help_text="a branch venue; the main one if empty")


class AttendanceBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = ["id", "method", "checked_in_at", "checked_out_at", "auto_checked_out", "hours", "status",
                  "reject_reason", "points"]


class SignupSerializer(serializers.ModelSerializer):
    activity = serializers.IntegerField(source="session_id", read_only=True)
    activity_title = serializers.CharField(source="session.title", read_only=True)
    venue = serializers.CharField(source="venue.name", read_only=True)
    attendance = serializers.SerializerMethodField()
    activity_status = serializers.CharField(source="session.status", read_only=True)
    activity_cancel_reason = serializers.CharField(source="session.activity.cancel_reason", read_only=True)

    class Meta:
        model = Enrolment
        fields = ["id", "activity", "activity_title", "venue", "status", "created_at", "attendance",
                  "activity_status", "activity_cancel_reason"]

    def get_attendance(self, signup) -> AttendanceBriefSerializer(allow_null=True):
        attendance = getattr(signup, "attendance", None)
        return AttendanceBriefSerializer(attendance).data if attendance else None


class AttendanceSerializer(AttendanceBriefSerializer):
    activity = serializers.IntegerField(source="enrolment.session_id", read_only=True)
    volunteer_name = serializers.CharField(source="enrolment.user.name", read_only=True)
    volunteer_number = serializers.SerializerMethodField()

    class Meta(AttendanceBriefSerializer.Meta):
        fields = [*AttendanceBriefSerializer.Meta.fields, "activity", "volunteer_name", "volunteer_number"]

    def get_volunteer_number(self, attendance) -> str:
        volunteer = getattr(attendance.enrolment.user, "volunteer", None)
        return volunteer.number if volunteer else ""


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class BulkApproveSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), max_length=500)


class MarkAttendanceSerializer(serializers.Serializer):
    """Times of the leader's record; either left out is the activity's start or end."""

    checked_in_at = serializers.DateTimeField(required=False)
    checked_out_at = serializers.DateTimeField(required=False)


class BulkResultSerializer(serializers.Serializer):
    approved = serializers.IntegerField()


class ScanSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200)
    lat = CoordinateSerializerField(required=False, allow_null=True, min_value=-90, max_value=90)
    lng = CoordinateSerializerField(required=False, allow_null=True, min_value=-180, max_value=180)


class CertificateEntrySerializer(serializers.Serializer):
    date = serializers.DateField()
    title = serializers.CharField()
    hours = serializers.DecimalField(max_digits=6, decimal_places=2)


class CertificateSerializer(serializers.ModelSerializer):
    """A service certificate; the volunteer by number and name (no ID number at all)."""

    volunteer_number = serializers.CharField(source="volunteer.number", read_only=True)
    volunteer_name = serializers.CharField(source="volunteer.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    entries = CertificateEntrySerializer(many=True, read_only=True)
    verify_url = serializers.SerializerMethodField(help_text="the public page its QR code opens")

    class Meta:
        model = ServiceCertificate
        fields = ["number", "volunteer_number", "volunteer_name", "organization", "organization_name", "date_from",
                  "date_to", "hours", "entries", "issued_at", "status", "revoked_at", "verify_url"]

    def get_verify_url(self, certificate) -> str:
        return certificates.check_url(self.context["request"], certificate)


class CertificateIssueSerializer(serializers.Serializer):
    volunteer = serializers.CharField(required=False, allow_blank=True, max_length=24,
                                      help_text="volunteer number; empty: yourself")
    organization = serializers.IntegerField(min_value=1, max_value=2**31 - 1,
                                            help_text="id of a team or center the volunteer served with")
    date_from = serializers.DateField()
    date_to = serializers.DateField()


class CertificateRevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text="kept for the issuing organization; the public "
                                                           "check page says only that it is revoked")
