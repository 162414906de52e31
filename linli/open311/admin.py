"""Open311 in the back office: jurisdictions, API keys (shown once, revoked, never edited
back), the questions of each service, and a read-only list of the requests received.
Every change goes through linli.open311.actions."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext, gettext_lazy as _

from linli.core.admin import ReadOnlyAdmin

from . import actions
from .models import ApiKey, Jurisdiction, ServiceAttribute, ServiceRequest


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ("jurisdiction_id", "name", "area")
    list_select_related = ("area",)
    raw_id_fields = ("area",)
    search_fields = ("jurisdiction_id", "name", "area__name")

    def save_model(self, request, obj, form, change):
        actions.check_save_jurisdiction(obj)

    def delete_model(self, request, obj):
        actions.do_delete_jurisdiction(obj)

    def delete_queryset(self, request, queryset):
        for jurisdiction in queryset:
            actions.do_delete_jurisdiction(jurisdiction)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("prefix", "organization", "name", "rate_per_minute", "hold_for_screening", "created_at",
                    "revoked_at")
    list_filter = ("hold_for_screening", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("organization",)
    search_fields = ("prefix", "name", "organization__name")
    raw_id_fields = ("organization",)
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("organization", "name", "rate_per_minute", "hold_for_screening")
        return ("organization", "name", "rate_per_minute", "hold_for_screening", "prefix", "digest", "created_at",
                "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("organization", "prefix", "digest", "created_at", "revoked_at")

    def has_delete_permission(self, request, obj=None):
        return False  # requests keep their key; revoke it instead

    def save_model(self, request, obj, form, change):
        if change:
            actions.do_update_api_key(obj, name=obj.name, rate_per_minute=obj.rate_per_minute,
                                      hold_for_screening=obj.hold_for_screening)
            return
        key, raw = actions.do_create_api_key(obj.organization, obj.name, obj.rate_per_minute, obj.hold_for_screening)
        obj.pk, obj.digest, obj.prefix, obj.created_at = key.pk, key.digest, key.prefix, key.created_at
        messages.warning(request, gettext("Copy the key now, it will not be shown again: %s") % raw)

    @admin.action(description=_("Revoke selected keys"), permissions=["change"])
    def revoke(self, request, queryset):
        for key in queryset.filter(revoked_at__isnull=True):
            actions.do_revoke_api_key(key)


class ServiceAttributeForm(forms.ModelForm):
    """The list values as lines of `key=name`, checked like the action checks them."""

    values_text = forms.CharField(
        label=_("values"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For the list datatypes: one value per line, as key=name (e.g. deep=很深)."),
    )

    class Meta:
        model = ServiceAttribute
        fields = ("category", "code", "description", "datatype", "datatype_description", "required", "variable",
                  "order")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["values_text"].initial = "\n".join(
                f"{value['key']}={value['name']}" for value in self.instance.values or ())

    def clean(self):
        cleaned = super().clean()
        values = []
        for line in (cleaned.get("values_text") or "").splitlines():
            if line.strip():
                key, _sep, name = line.partition("=")
                values.append({"key": key.strip(), "name": name.strip() or key.strip()})
        try:
            self.instance.values = actions.clean_values(cleaned.get("datatype"), values)
        except ValueError as error:
            self.add_error("values_text", str(error))
        return cleaned


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin):
    form = ServiceAttributeForm
    list_display = ("category", "order", "code", "description", "datatype", "required")
    list_select_related = ("category",)
    list_filter = ("datatype", "required")
    search_fields = ("code", "description", "category__name", "category__code")
    raw_id_fields = ("category",)

    def save_model(self, request, obj, form, change):
        actions.check_save_service_attribute(obj)

    def delete_model(self, request, obj):
        actions.do_delete_service_attribute(obj)

    def delete_queryset(self, request, queryset):
        for attribute in queryset:
            actions.do_delete_service_attribute(attribute)


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    """Read only: requests change through the POST and the screening actions."""

    list_display = ("created_at", "state", "category", "case", "api_key", "jurisdiction")
    list_filter = ("state", "jurisdiction")
    list_select_related = ("category", "case", "api_key__organization", "jurisdiction")
    search_fields = ("token", "case__number")
    date_hierarchy = "created_at"
    exclude = ("held_media",)
