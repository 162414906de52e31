"""Cases in the back office.

Categories and routing rules are configuration and are edited here. Cases are not:
their state changes only through the workflow actions (the case page and the API), so
the case admin is a read-only view with the timeline, scoped like every list.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from linli.core.admin import ReadOnlyMixin

from .models import Case, CaseEvent, Category, RoutingRule
from .queries import cases_for


@admin.register(Category)
class CategoryAdmin(TreeAdmin):
    form = movenodeform_factory(Category)
    list_display = ["name", "code", "kind", "accept_hours", "resolve_days", "default_priority", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request, obj=None):
        # Cases keep their category (PROTECT); retire a category with "active" instead.
        return False


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["area", "category", "unit"]
    list_select_related = ["area", "category", "unit"]
    list_filter = ["area__level"]
    search_fields = ["area__name", "area__code", "category__name", "category__code", "unit__name"]
    raw_id_fields = ["area", "unit"]


class CaseEventInline(ReadOnlyMixin, admin.TabularInline):
    model = CaseEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    ordering = ["id"]
    extra = 0
    verbose_name_plural = _("timeline")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Case)
class CaseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "status", "category", "area", "unit", "sla_state", "created_at"]
    list_select_related = ["category", "area", "unit"]
    list_filter = ["status", "channel", "sla_state", "unlocated", "supervised"]
    search_fields = ["number", "description"]
    ordering = ["-id"]
    show_full_result_count = False  # no COUNT(*) over a million rows per page view
    inlines = [CaseEventInline]

    def get_queryset(self, request):
        # Staff see in the back office exactly what they see in the queue.
        return cases_for(request.user)


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["case", "action", "from_status", "to_status", "actor", "created_at"]
    list_select_related = ["case", "actor"]
    list_filter = ["action"]
    search_fields = ["case__number"]
    ordering = ["-id"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(case__in=cases_for(request.user))
