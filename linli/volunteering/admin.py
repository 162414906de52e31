"""Back office: read-only views (every change goes through the actions and the pages)."""

from django.contrib import admin

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
    list_display = ["number", "name", "masked_id_number", "area", "registered_at"]
    search_fields = ["number", "name"]
    exclude = ["id_number", "phone"]  # personal data: only through the recorded reveal


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["title", "organization", "starts_at", "service_area", "is_published"]
    list_filter = ["service_area", "is_published"]


@admin.register(Signup)
class SignupAdmin(ReadOnlyAdmin):
    list_display = ["activity", "venue", "user", "status", "created_at"]
    list_filter = ["status"]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ["signup", "checked_in_at", "checked_out_at", "hours", "status", "auto_checked_out"]
    list_filter = ["status", "auto_checked_out"]


@admin.register(ServiceCertificate)
class ServiceCertificateAdmin(ReadOnlyAdmin):
    list_display = ["number", "volunteer", "organization", "date_from", "date_to", "hours", "issued_at"]
    search_fields = ["number"]
    exclude = ["token"]  # whoever holds it can show the certificate as genuine
