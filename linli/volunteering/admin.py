"""Back office: read-only views (every change goes through the actions and the pages)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from linli.core.admin import ReadOnlyAdmin

from .models import Activity, ServiceCertificate, Volunteer


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


@admin.register(ServiceCertificate)
class ServiceCertificateAdmin(ReadOnlyAdmin):
    list_display = ["number", "volunteer", "organization", "date_from", "date_to", "hours", "issued_at"]
    search_fields = ["number"]
    exclude = ["token"]  # whoever holds it can show the certificate as genuine
