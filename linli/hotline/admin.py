"""Back office: read-only views of sources, imports and work orders (every write goes through
the pages and `actions`)."""

from django.contrib import admin

from linli.core.admin import ReadOnlyAdmin

from .models import HotlineOrder, HotlineSource, ImportJob


@admin.register(HotlineSource)
class HotlineSourceAdmin(ReadOnlyAdmin):
    list_display = ("name", "area", "fallback_category", "created_at")
    list_select_related = ("area", "fallback_category")
    search_fields = ("name",)


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ("id", "source", "file_name", "status", "total", "created", "skipped", "failed", "created_by", "created_at")
    list_filter = ("status",)
    list_select_related = ("source", "created_by")
    exclude = ("headers", "mapping")


@admin.register(HotlineOrder)
class HotlineOrderAdmin(ReadOnlyAdmin):
    list_display = ("external_number", "source", "case", "received_at", "due_at")
    list_select_related = ("source", "case")
    search_fields = ("external_number",)
    raw_id_fields = ("case", "job")
