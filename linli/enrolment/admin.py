"""Back office: read-only (every change goes through the actions and the owners' pages)."""

from django.contrib import admin

from linli.core.admin import ReadOnlyAdmin

from .models import Attendance, Enrolment


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ["session", "venue", "user", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["session", "venue", "user"]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "presence", "checked_in_at", "checked_out_at", "hours", "status", "auto_checked_out"]
    list_filter = ["presence", "status", "auto_checked_out"]
    list_select_related = ["enrolment__user", "enrolment__session"]
