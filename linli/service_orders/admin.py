"""Read-only back office views: every change goes through actions.py."""

from django.contrib import admin

from linli.core.admin import ReadOnlyAdmin

from .models import ServiceOffering, ServiceOrder


@admin.register(ServiceOffering)
class ServiceOfferingAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "team", "active"]
    list_filter = ["kind", "active"]


@admin.register(ServiceOrder)
class ServiceOrderAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "status", "area", "team", "created_at", "rating"]
    list_filter = ["status", "kind"]
