"""Read-only back office views: every change goes through actions.py."""

from django.contrib import admin

from .models import ServiceOffering, ServiceOrder


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceOffering)
class ServiceOfferingAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "team", "active"]
    list_filter = ["kind", "active"]


@admin.register(ServiceOrder)
class ServiceOrderAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "status", "area", "team", "created_at", "rating"]
    list_filter = ["status", "kind"]
