"""Areas in the back office. Every write goes through the actions.

The parent is not a form field: an area's code names it (a grid's code
extends its community's), so changing the code moves the area. Boundaries are
shown read-only; they come from `manage.py import_areas`.
"""

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.core.scoping import scope_for

from .actions import (
    check_create_area,
    check_delete_area,
    check_update_area,
    do_create_area,
    do_delete_area,
    do_update_area,
    parent_code_of,
)
from .choices import AreaLevel
from .models import Area


class AreaAdminForm(forms.ModelForm):
    class Meta:
        model = Area
        fields = ["name", "level", "code"]
        help_texts = {"code": gettext_lazy("Starts with the parent's code; the parent is the area with that code.")}

    request = None  # set by AreaAdmin.get_form
    action_kwargs = None

    def clean(self):
        data = super().clean()
        level = data.get("level") or (self.instance.level if self.instance.pk else None)
        code, name = data.get("code"), data.get("name")
        if not (level and code and name):
            return data
        parent = None
        if level in AreaLevel.values and len(code) > 0:
            parent_code = parent_code_of(code, level)
            if parent_code:
                parent = Area.objects.filter(code=parent_code).first()
                if parent is None:
                    raise ValidationError({"code": _("No area has the parent code %(code)s.") % {"code": parent_code}})
        actor = self.request.user if self.request else None
        try:
            if self.instance.pk:
                current = Area.objects.get(pk=self.instance.pk)
                self.action_kwargs = check_update_area(current, actor=actor, name=name, code=code, parent=parent)
            else:
                self.action_kwargs = check_create_area(actor=actor, parent=parent, name=name, level=level, code=code)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return data

    def _post_clean(self):
        # The actions validated everything; the model's own checks would only repeat them.
        pass


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    form = AreaAdminForm
    list_display = ["indented_name", "code", "level", "children", "updated_at"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    ordering = ["code"]  # hierarchical codes sort in tree order
    readonly_fields = ["parent_display", "centroid", "boundary_json", "updated_at"]
    list_per_page = 100
    actions = None  # bulk delete would bypass the per-area checks

    @admin.display(description=gettext_lazy("areas directly below"), ordering="numchild")
    def children(self, area):
        return area.numchild

    def get_queryset(self, request):
        return scope_for(request.user, "places.manage").filter(super().get_queryset(request), area_path="path")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request = request
        return form

    def get_readonly_fields(self, request, obj=None):
        # The level follows from the parent, so it is fixed once the area exists.
        return [*self.readonly_fields, "level"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.numchild)

    @admin.display(description=gettext_lazy("name"), ordering="code")
    def indented_name(self, area):
        return format_html('<span style="padding-left:{}em">{}</span>', (area.depth - 1) * 1.5, area.name)

    @admin.display(description=gettext_lazy("parent"))
    def parent_display(self, area):
        parent = Area.objects.get_parent(area) if area.pk and area.depth > 1 else None
        return f"{parent.name} ({parent.code})" if parent else "-"

    @admin.display(description=gettext_lazy("centroid"))
    def centroid(self, area):
        if area.centroid_lat is None:
            return "-"
        return f"{area.centroid_lat:.6f}, {area.centroid_lng:.6f}"

    @admin.display(description=gettext_lazy("boundary (GeoJSON, WGS84)"))
    def boundary_json(self, area):
        if not area.boundary:
            return "-"
        return format_html(
            '<pre style="max-height:20em;overflow:auto;white-space:pre-wrap">{}</pre>',
            json.dumps(area.boundary, ensure_ascii=False, indent=1),
        )

    def save_model(self, request, obj, form, change):
        kwargs = form.action_kwargs or {}
        if change:
            area = do_update_area(obj, **kwargs) if kwargs else Area.objects.get(pk=obj.pk)
        else:
            area = do_create_area(**kwargs)
        # The admin goes on with `obj` (messages, log entry, redirect): make it the saved row.
        for field in Area._meta.concrete_fields:
            setattr(obj, field.attname, getattr(area, field.attname))
        obj._state.adding = False
        obj._state.db = area._state.db

    def delete_model(self, request, obj):
        do_delete_area(**check_delete_area(obj, actor=request.user))
