"""Back office for the core engines: the working calendar (editable), the outbox
and notifications (read-only; the outbox has a "retry" action), the record of personal-data views."""

from django.conf import settings
from django.contrib import admin, messages
from django.utils.dates import WEEKDAYS
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import outbox
from .models import CalendarDay, Notification, OutboxMessage, PersonalDataAccess


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    # Saving a row drops the cached calendar (signal in linli.core.calendar).
    list_display = ["date", "weekday", "is_workday", "note"]
    list_editable = ["is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["note"]
    list_per_page = 100

    @admin.display(description=_("weekday"))
    def weekday(self, day):
        return WEEKDAYS[day.date.weekday()]


class ReadOnlyMixin:
    """For records written only by the actions (logs, ledgers): the admin shows, never edits.
    Serves ModelAdmin and inlines alike (an inline's has_add_permission takes `obj`)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class DeliveryFilter(admin.SimpleListFilter):
    title = _("delivery")
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [("pending", _("pending")), ("failing", _("failing")), ("given_up", _("given up")), ("sent", _("sent"))]

    def queryset(self, request, queryset):
        limit = settings.OUTBOX_MAX_ATTEMPTS
        value = self.value()
        if value == "pending":
            return queryset.filter(sent_at__isnull=True, attempts=0)
        if value == "failing":
            return queryset.filter(sent_at__isnull=True, attempts__gt=0, attempts__lt=limit)
        if value == "given_up":
            return queryset.filter(sent_at__isnull=True, attempts__gte=limit)
        if value == "sent":
            return queryset.filter(sent_at__isnull=False)
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["id", "topic", "created_at", "sent_at", "attempts", "next_attempt_at", "error"]
    list_filter = [DeliveryFilter, "created_at"]
    search_fields = ["topic"]
    ordering = ["-id"]
    actions = ["retry"]
    show_full_result_count = False  # the table is large; counting it all is slow

    @admin.display(description=_("last error"))
    def error(self, message):
        lines = message.last_error.strip().splitlines()
        return Truncator(lines[-1]).chars(80) if lines else ""

    def has_retry_permission(self, request):
        return request.user.has_perm("core.change_outboxmessage")

    @admin.action(description=_("Retry the selected unsent messages"), permissions=["retry"])
    def retry(self, request, queryset):
        count = outbox.retry(queryset.filter(sent_at__isnull=True).values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d message will be sent again.", "%(count)d messages will be sent again.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "topic", "title", "read_at"]
    list_filter = ["created_at"]
    list_select_related = ["user"]
    search_fields = ["title", "user__phone", "user__name"]
    ordering = ["-id"]
    show_full_result_count = False


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    """The record of who opened full phone and ID numbers: read-only, never edited or deleted."""

    list_display = ["created_at", "viewer", "subject", "field", "ip"]
    list_filter = ["field"]
    search_fields = ["subject", "viewer__phone", "viewer__name"]
    date_hierarchy = "created_at"
    list_select_related = ["viewer"]
