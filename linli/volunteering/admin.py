"""Back office: read-only views (every change goes through the actions and the pages)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Activity, Attendance, ServiceCertificate, Signup, Volunteer


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Volunteer)
class VolunteerAdmin(ReadOnlyAdmin):
    list_display = ["number", "name", "id_number_masked", "area", "registered_at"]
    search_fields = ["number", "name"]
    exclude = ["id_number", "phone"]  # personal data: only through the recorded reveal
    list_select_related = ["area"]

    @admin.display(description=_("ID number"))
    def id_number_masked(self, volunteer):
        return volunteer.masked_id_number


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["title", "organization", "starts_at", "service_area", "is_published"]
    list_filter = ["service_area", "is_published"]


@admin.register(Signup)
class SignupAdmin(ReadOnlyAdmin):
    list_display = ["activity", "venue", "user", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["activity", "venue", "user"]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ["signup", "checked_in_at", "checked_out_at", "hours", "status", "auto_checked_out"]
    list_filter = ["status", "auto_checked_out"]
    list_select_related = ["signup__user", "signup__activity"]


@admin.register(ServiceCertificate)
class ServiceCertificateAdmin(ReadOnlyAdmin):
    list_display = ["number", "volunteer", "organization", "date_from", "date_to", "hours", "issued_at"]
    search_fields = ["number"]
    exclude = ["token"]  # whoever holds it can show the certificate as genuine
