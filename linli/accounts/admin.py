"""Back office for people, roles and tokens.

Roles are given and taken through the accounts actions (the same rules and
permission checks as everywhere else), never saved directly; tokens are
issued through `do_create_token` so only their digest is stored.
"""

from auditlog.mixins import AuditlogHistoryAdminMixin
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm as DjangoUserChangeForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext, gettext_lazy as _

from linli.core.scoping import scope_for

from .actions import can_grant_role, do_assign_role, do_create_token, do_revoke_role, do_revoke_token
from .models import ApiToken, OneTimeCode, RoleAssignment, User, mask_phone, normalize_phone

# -- forms ---------------------------------------------------------------------


def phone_field():
    # Longer than the stored 11 digits so "+86 139-0000-0001" reaches clean_phone.
    return forms.CharField(label=_("mobile number"), max_length=24)


class PhoneFieldMixin:
    def clean_phone(self):
        # Stored as 13900000001; the model's validator then checks it.
        return normalize_phone(self.cleaned_data.get("phone"))


class UserCreationForm(PhoneFieldMixin, AdminUserCreationForm):
    phone = phone_field()

    class Meta:
        model = User
        fields = ("phone", "name", "email")


class UserChangeForm(PhoneFieldMixin, DjangoUserChangeForm):
    phone = phone_field()

    class Meta:
        model = User
        fields = "__all__"


class RoleAssignmentForm(forms.ModelForm):
    """Validates with the RoleAssignment rules and the actor's right to grant."""

    actor = None  # set per request by the admin (see _with_actor)

    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "tier", "area", "organization"]

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if self.actor is not None and role and not can_grant_role(
            self.actor, role, cleaned.get("area"), cleaned.get("organization")
        ):
            raise ValidationError(gettext("You may not assign this role here."))
        return cleaned


def _with_actor(form_class, actor):
    return type(form_class.__name__, (form_class,), {"actor": actor})


def _scoped_assignments(queryset, user):
    """Assignments on nodes where `user` manages accounts (everything for superusers)."""
    scope = scope_for(user, "accounts.manage")
    return queryset.filter(
        scope.q(area_path="area__path", org_path="organization__path")
        | scope.q(area_path="organization__area__path", org_path=None)
    )


# -- users ---------------------------------------------------------------------


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    form = RoleAssignmentForm
    fields = ["role", "tier", "area", "organization", "created_at"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["area", "organization"]
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = _with_actor(formset.form, request.user)
        return formset

    def has_change_permission(self, request, obj=None):
        return False  # a role is given or taken, not edited


@admin.register(User)
class UserAdmin(AuditlogHistoryAdminMixin, DjangoUserAdmin):
    # Each person's history (and, in Back office › Log entries, every role granted or revoked).
    show_auditlog_history_link = True
    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("phone", "password")}),
        (_("Personal info"), {"fields": ("name", "email")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("phone", "name", "usable_password", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("masked_phone_column", "name", "email", "is_staff", "is_active", "date_joined")
    list_display_links = ("masked_phone_column", "name")
    list_filter = ("is_staff", "is_superuser", "is_active", "role_assignments__role")
    search_fields = ("phone", "name", "email")
    ordering = ("-date_joined",)
    inlines = [RoleAssignmentInline]

    @admin.display(description=_("mobile number"), ordering="phone")
    def masked_phone_column(self, user):
        # Lists show numbers masked (PIPL); the change page shows the full one.
        return mask_phone(user.phone)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_formset(self, request, form, formset, change):
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)  # fills deleted_objects and new_objects without saving
        with transaction.atomic():
            for assignment in formset.deleted_objects:
                if can_grant_role(request.user, assignment.role, assignment.area, assignment.organization):
                    do_revoke_role(assignment)
                else:
                    messages.error(request, gettext("You may not revoke the role “%s”.") % assignment)
            for assignment in formset.new_objects:
                do_assign_role(
                    form.instance,
                    assignment.role,
                    area=assignment.area,
                    organization=assignment.organization,
                    tier=assignment.tier,
                )


# -- role assignments ----------------------------------------------------------


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    form = RoleAssignmentForm
    list_display = ("user", "role", "tier", "area", "organization", "created_at")
    list_filter = ("role", "tier")
    list_select_related = ("user", "area", "organization")
    search_fields = ("user__phone", "user__name", "area__name", "area__code", "organization__name")
    raw_id_fields = ("user", "area", "organization")
    readonly_fields = ("created_at",)

    def get_queryset(self, request):
        return _scoped_assignments(super().get_queryset(request), request.user)

    def get_form(self, request, obj=None, **kwargs):
        return _with_actor(super().get_form(request, obj, **kwargs), request.user)

    def has_change_permission(self, request, obj=None):
        return False  # a role is given or taken, not edited

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return can_grant_role(request.user, obj.role, obj.area, obj.organization)

    def save_model(self, request, obj, form, change):
        assignment = do_assign_role(obj.user, obj.role, area=obj.area, organization=obj.organization, tier=obj.tier)
        obj.pk, obj.created_at = assignment.pk, assignment.created_at

    def delete_model(self, request, obj):
        do_revoke_role(obj)

    def delete_queryset(self, request, queryset):
        for assignment in queryset.select_related("area", "organization__area"):
            if can_grant_role(request.user, assignment.role, assignment.area, assignment.organization):
                do_revoke_role(assignment)


# -- API tokens ----------------------------------------------------------------


@admin.register(ApiToken)
class ApiTokenAdmin(AuditlogHistoryAdminMixin, admin.ModelAdmin):
    show_auditlog_history_link = True
    list_display = ("prefix", "user", "name", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user",)
    search_fields = ("prefix", "name", "user__phone", "user__name")
    raw_id_fields = ("user",)
    readonly_fields = ("prefix", "digest", "created_at", "expires_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name")
        return ("user", "name", "prefix", "digest", "created_at", "expires_at", "last_used_at", "revoked_at")

    def has_change_permission(self, request, obj=None):
        return False  # revoke and issue a new one instead

    def save_model(self, request, obj, form, change):
        token, raw = do_create_token(obj.user, obj.name)
        obj.pk, obj.digest, obj.prefix, obj.created_at = token.pk, token.digest, token.prefix, token.created_at
        obj.expires_at = token.expires_at
        messages.warning(request, gettext("Copy the token now, it will not be shown again: %s") % raw)

    @admin.action(description=_("Revoke selected tokens"), permissions=["delete"])
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            do_revoke_token(token)


# -- one-time codes: read only ---------------------------------------------------


@admin.register(OneTimeCode)
class OneTimeCodeAdmin(admin.ModelAdmin):
    list_display = ("masked_phone_column", "ip", "created_at", "expires_at", "used_at", "failed_attempts")
    fields = ("phone", "ip", "created_at", "expires_at", "used_at", "failed_attempts")
    search_fields = ("phone", "ip")
    date_hierarchy = "created_at"

    @admin.display(description=_("mobile number"), ordering="phone")
    def masked_phone_column(self, otc):
        return mask_phone(otc.phone)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
