"""Back-office editing of organizations, memberships and pairings.

Every write goes through linli.orgs.actions: the forms run the same
validation, and save/delete/move call the check_* actions with the admin user
as the actor.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import TreeNodeChoiceField

from . import actions
from .choices import NewSector
from .models import Membership, Organization, Pairing


def _adopt(obj, created):
    """Give the admin's unsaved object the state of the row the action created."""
    obj.__dict__.update({k: v for k, v in created.__dict__.items() if k != "_state"})
    obj._state.adding = False


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error)


class WritesThroughActions:
    """The form only validates; save_model() calls the actions."""

    def save_form(self, request, form, change):
        return form.instance

    def save_related(self, request, form, formsets, change):
        pass


class OrganizationForm(forms.ModelForm):
    parent = TreeNodeChoiceField(
        queryset=Organization.objects.order_by("path"), required=False, label=_("parent organization")
    )
    new_sectors = forms.MultipleChoiceField(
        choices=NewSector.choices, required=False, widget=forms.CheckboxSelectMultiple, label=_("new-sector tags")
    )

    class Meta:
        model = Organization
        fields = ["parent", "name", "kind", "area", "new_sectors", "founded_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["parent"].initial = actions.get_parent(self.instance)
            # Not under itself or its own subtree.
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(
                path__startswith=self.instance.path
            )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            if self.instance.pk is None:
                actions.validate_organization(
                    parent=data.get("parent"),
                    name=data.get("name"),
                    kind=data.get("kind"),
                    area=data.get("area"),
                    new_sectors=data.get("new_sectors"),
                )
            else:
                children = list(Organization.objects.get_children(self.instance).select_related("area"))
                actions.validate_placement(
                    kind=data["kind"], area=data["area"], parent=data.get("parent"), children=children
                )
                actions.check_unique_name(data["name"], data["kind"], data.get("parent"), exclude_pk=self.instance.pk)
        except ValidationError as error:
            _add_errors(self, error)
        return data

    def _post_clean(self):
        # The model instance is written by the actions, not by construct_instance().
        pass


@admin.register(Organization)
class OrganizationAdmin(WritesThroughActions, TreeAdmin):
    form = OrganizationForm
    list_display = ["name", "kind", "area", "founded_on"]
    list_filter = ["kind", "area__level"]
    search_fields = ["name", "area__name", "area__code"]
    raw_id_fields = ["area"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("area")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = actions.check_create_organization(
                request.user,
                parent=data.get("parent"),
                name=data["name"],
                kind=data["kind"],
                area=data["area"],
                new_sectors=data.get("new_sectors") or [],
                founded_on=data.get("founded_on"),
            )
            _adopt(obj, created)
            return
        current = Organization.objects.get(pk=obj.pk)
        changes = {f: data[f] for f in actions.UPDATABLE_FIELDS if f in data and getattr(current, f) != data[f]}
        actions.check_update_organization(request.user, current, parent=data.get("parent"), **changes)

    def delete_model(self, request, obj):
        # No delete action yet: it would cascade to memberships, pairings and role assignments.
        raise PermissionDenied

    def has_delete_permission(self, request, obj=None):
        return False

    def move_node(self, request):
        """Drag and drop in the tree: moved through the action, never the tree API directly."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        try:
            node = Organization.objects.get(pk=request.POST.get("node"))
            target = Organization.objects.get(pk=request.POST.get("target"))
        except (Organization.DoesNotExist, ValueError):
            return HttpResponseBadRequest("Invalid form data provided")
        parent = target if request.POST.get("relation") == "child" else actions.get_parent(target)
        try:
            with transaction.atomic():
                actions.check_move_organization(request.user, node, parent)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseBadRequest("Invalid move")
        messages.info(request, _('Moved "%(node)s".') % {"node": node})
        return HttpResponse("OK")


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "organization", "role", "since"]

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                # On change, user and organization are read-only and absent from the form.
                user = data.get("user") or self.instance.user
                organization = data.get("organization") or self.instance.organization
                actions.validate_membership(user, organization, data["role"], exclude_pk=self.instance.pk)
            except ValidationError as error:
                _add_errors(self, error)
        return data

    def _post_clean(self):
        pass


@admin.register(Membership)
class MembershipAdmin(WritesThroughActions, admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "organization", "role", "status", "since"]
    list_filter = ["role", "status", "organization__kind"]
    search_fields = ["user__name", "user__phone", "organization__name"]
    raw_id_fields = ["user", "organization"]
    list_select_related = ["user", "organization"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "organization"] if obj else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            actions.check_update_membership(request.user, obj, role=data["role"], since=data.get("since"))
        else:
            created = actions.check_add_membership(
                request.user, data["user"], data["organization"], data["role"], since=data.get("since")
            )
            _adopt(obj, created)

    def delete_model(self, request, obj):
        actions.check_remove_membership(request.user, obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("organization"):
            actions.check_remove_membership(request.user, membership)


class PairingForm(forms.ModelForm):
    class Meta:
        model = Pairing
        fields = ["unit", "kind", "area", "station", "since"]

    def clean(self):
        data = super().clean()
        if not self.errors and self.instance.pk is None:
            try:
                actions.validate_pairing(data["unit"], data["kind"], area=data.get("area"), station=data.get("station"))
            except ValidationError as error:
                _add_errors(self, error)
        return data

    def _post_clean(self):
        pass


@admin.register(Pairing)
class PairingAdmin(WritesThroughActions, admin.ModelAdmin):
    form = PairingForm
    list_display = ["unit", "kind", "area", "station", "since"]
    list_filter = ["kind"]
    search_fields = ["unit__name", "area__name", "station__name"]
    raw_id_fields = ["unit", "area", "station"]
    list_select_related = ["unit", "area", "station"]

    def get_readonly_fields(self, request, obj=None):
        return ["unit", "kind", "area", "station"] if obj else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            actions.check_update_pairing(request.user, obj, since=data.get("since"))
        else:
            created = actions.check_create_pairing(
                request.user, data["unit"], data["kind"], area=data.get("area"), station=data.get("station"),
                since=data.get("since"),
            )
            _adopt(obj, created)

    def delete_model(self, request, obj):
        actions.check_delete_pairing(request.user, obj)

    def delete_queryset(self, request, queryset):
        for pairing in queryset.select_related("unit"):
            actions.check_delete_pairing(request.user, pairing)
