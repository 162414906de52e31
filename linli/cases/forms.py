"""Forms of the case pages. They check what a page can check (required fields,
shapes, counts); `actions.check_report` / `actions.perform` own the rules."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from linli.core.ids import CoordinateFormField
from linli.places.choices import AreaLevel

from .actions.guards import PARAMS as PERFORM_PARAMS
from .choices import MAX_EVIDENCE_PHOTOS, MAX_PHOTOS, Action
from .models import Category

PHONE = RegexValidator(r"^1\d{10}$", _("Enter an 11-digit mobile number."))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """0..MAX_PHOTOS files from one `<input type=file multiple>`; content is checked by the action."""

    def __init__(self, *, min_count=0, max_count=MAX_PHOTOS, **kwargs):
        self.min_count, self.max_count = min_count, max_count
        attrs = {"accept": "image/*", "multiple": True, "data-max-photos": max_count}
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        kwargs.setdefault("required", min_count > 0)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data or []) if f] if isinstance(data, (list, tuple)) else ([data] if data else [])
        if len(files) < self.min_count:
            raise forms.ValidationError(
                _("Add at least one photo.") if self.min_count == 1 else _("Add at least %(n)d photos.") % {"n": self.min_count},
                code="required",
            )
        if len(files) > self.max_count:
            raise forms.ValidationError(_("At most %(n)d photos.") % {"n": self.max_count}, code="too_many")
        return [super(PhotosField, self).clean(f, initial) for f in files]


def category_choices(key="pk"):
    """Active categories as grouped choices, one query: a group per root kind (部件 / 事件 / …),
    the classes under it indented by depth, so a `<select>` reads as the tree. `key`: the
    attribute used as the option's value (the report form posts the pk, the queue filter the code)."""
    groups, current, inactive_paths = [], None, []
    for node in Category.objects.get_tree():
        if not node.is_active or any(node.path.startswith(p) for p in inactive_paths):
            inactive_paths.append(node.path)
            continue
        if node.depth == 1:
            current = (node.name, [])
            groups.append(current)
        elif current is not None:
            current[1].append((str(getattr(node, key)), "\u3000" * (node.depth - 2) + node.name))
    # A name in two groups (市容环境 under 部件 and 事件) also names its group, for the phones
    # whose pickers do not show optgroup labels.
    seen = {}
    for group, options in groups:
        for _value, label in options:
            seen.setdefault(label.strip("\u3000"), set()).add(group)
    groups = [
        (group, [(value, f"{label}（{group}）" if len(seen[label.strip("\u3000")]) > 1 else label)
                 for value, label in options])
        for group, options in groups
    ]
    return [("", _("Choose a category"))] + [g for g in groups if g[1]]


class CategoryField(forms.ChoiceField):
    def clean(self, value):
        value = super().clean(value)
        # the option values are ids: anything else (a code, "1.5", "٣") is not on the list
        is_id = isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18
        category = Category.objects.filter(pk=int(value), is_active=True).first() if is_id else None
        if value and category is None:
            raise forms.ValidationError(_("Choose a category from the list."), code="invalid_choice")
        return category

    def valid_value(self, value):
        return True  # the queryset lookup in clean() decides


class ReportForm(forms.Form):
    """随手拍: a resident's photo report. Location comes from the phone (WGS84) or the pin."""

    channel = "snapshot"
    photos_min = 1
    location_required = True

    category = CategoryField(label=_("What kind of problem?"))
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("What is wrong, and where exactly?")}),
    )
    lat = CoordinateFormField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = CoordinateFormField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    address = forms.CharField(
        label=_("Address or landmark (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. No. 12 Kengnei Road, by the east gate")}),
    )
    show_reporter_name = forms.BooleanField(
        label=_("Show my name on the case"),
        required=False,
        help_text=_("Off: the handling staff see your report, the public never sees who you are."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["photos"] = PhotosField(label=_("Photos"), min_count=self.photos_min)
        self.order_fields(["photos", "category", "description"])

    def clean(self):
        data = super().clean()
        has_point = data.get("lat") is not None and data.get("lng") is not None
        if self.location_required and not has_point and "lat" not in self.errors:
            self.add_error(None, forms.ValidationError(
                _("Set the location: use your phone's location or place the pin on the map."), code="no_location"
            ))
        return data

    def report_fields(self):
        """Keyword arguments for `actions.check_report`."""
        d = self.cleaned_data
        return {
            "category": d["category"],
            "description": d["description"],
            "channel": self.channel,
            "lat": d.get("lat"),
            "lng": d.get("lng"),
            "coord_system": "wgs84",  # navigator.geolocation and the Leaflet pin are WGS84
            "address": d.get("address", ""),
            "photos": d.get("photos") or [],
            "show_reporter_name": d.get("show_reporter_name", False),
        }


class PatrolForm(ReportForm):
    """网格巡查: what a grid worker finds on rounds, maybe for a resident who asked."""

    channel = "patrol"

    reporter_name = forms.CharField(label=_("On behalf of (name)"), max_length=50, required=False)
    reporter_phone = forms.CharField(
        label=_("Resident's mobile number"), max_length=11, required=False, validators=[PHONE],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["show_reporter_name"]  # the worker's own name is always on a patrol report

    def report_fields(self):
        fields = super().report_fields()
        fields.update(reporter_name=self.cleaned_data["reporter_name"], reporter_phone=self.cleaned_data["reporter_phone"])
        return fields


class WalkInForm(PatrolForm):
    """Staff desk: a resident at the counter or on the phone. An address and an area are
    enough; the pin is optional, and so are photos."""

    channel = "walk_in"
    photos_min = 0
    location_required = False

    area = forms.ChoiceField(label=_("Area"), required=False)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = {a.code: a for a in areas}
        # Indent communities and grids under their street so the list reads as a tree.
        depth0 = min((a.depth for a in areas), default=0)
        self.fields["area"].choices = [("", _("Choose the community or grid"))] + [
            (a.code, "\u3000" * (a.depth - depth0) + a.name) for a in areas
        ]
        self.fields["reporter_name"].label = _("Resident's name")
        self.fields["address"].label = _("Address")
        self.order_fields(["reporter_name", "reporter_phone", "category", "description", "address", "area", "photos"])

    def clean_area(self):
        code = self.cleaned_data.get("area")
        if code and code not in self.areas:
            raise forms.ValidationError(_("Choose an area from the list."), code="invalid_choice")
        return self.areas.get(code)

    def clean(self):
        data = super().clean()
        has_point = data.get("lat") is not None and data.get("lng") is not None
        if not has_point and not data.get("area") and "area" not in self.errors:
            self.add_error("area", forms.ValidationError(
                _("Choose the area, or place the pin on the map."), code="no_location"
            ))
        if not has_point and not data.get("address"):
            self.add_error("address", forms.ValidationError(_("Give the address."), code="required"))
        return data

    def report_fields(self):
        fields = super().report_fields()
        fields["area_hint"] = self.cleaned_data.get("area")
        return fields


WALK_IN_LEVELS = (AreaLevel.STREET, AreaLevel.COMMUNITY, AreaLevel.GRID)


# -- workflow actions ---------------------------------------------------------------

# The fields each action's small form has: what `perform` takes, except that the
# pages publish to the case's own queue area.
ACTION_FIELDS = {**PERFORM_PARAMS, Action.PUBLISH: ()}

REASON_LABELS = {
    Action.REJECT: _("Why is it not accepted?"),
    Action.RETURN: _("Why does it not belong to your unit?"),
    Action.REWORK: _("What is still wrong?"),
    Action.REOPEN: _("Why are you not satisfied?"),
    Action.ESCALATE: _("Why must a higher level handle it?"),
}
NOTE_LABELS = {
    Action.RESOLVE: _("What was done"),
    Action.VERIFY: _("What you saw on site (optional)"),
    Action.REMIND: _("Message to the unit (optional)"),
    Action.SUPERVISE: _("Supervision note (optional)"),
}


UNIT_SEARCH_HINT = _("Type part of a unit's name")


def unit_choices(units, suggested=None):
    """Units as grouped choices for a `<select>`: the routing suggestion first, then one group
    per organization kind, in the order `units` come (views.dispatch_units sorts them)."""
    groups, suggestion = {}, []
    for unit in units:
        if suggested is not None and unit.pk == suggested:
            suggestion.append((str(unit.pk), unit.name))
        else:
            groups.setdefault(unit.get_kind_display(), []).append((str(unit.pk), unit.name))
    choices = [("", _("Choose a unit"))]
    if suggestion:
        choices.append((_("Suggested by the routing rules"), suggestion))
    return choices + list(groups.items())


class ActionForm(forms.Form):
    """The small form of one workflow action; `params()` are the keyword arguments of `perform`."""

    def __init__(self, action, *args, units=(), suggested=None, **kwargs):
        kwargs.setdefault("prefix", action)
        super().__init__(*args, **kwargs)
        self.action = action
        self.units = {str(u.pk): u for u in units}
        self.suggested = suggested if action == Action.DISPATCH else None
        for name in ACTION_FIELDS[action]:
            self.fields[name] = self._field(name)

    def _field(self, name):
        if name == "note":
            return forms.CharField(
                label=NOTE_LABELS.get(self.action, _("Note (optional)")), required=self.action == Action.RESOLVE,
                max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
            )
        if name == "reason":
            return forms.CharField(
                label=REASON_LABELS.get(self.action, _("Reason")), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
            )
        if name == "unit" and self.action == Action.CLAIM:
            # Which of the person's units takes it on: the only one preselected, else a choice.
            choices = [(pk, unit.name) for pk, unit in self.units.items()]
            if len(choices) != 1:
                choices.insert(0, ("", _("Choose your unit")))
            # Not required here: without one the action claims for the only unit, or asks.
            return forms.ChoiceField(
                label=_("Claiming unit"), choices=choices, initial=choices[0][0], required=False,
                widget=forms.Select(attrs={"class": "form-select", "data-testid": "claim-unit"}),
            )
        if name == "unit":
            return forms.ChoiceField(
                label=_("Handling unit") if self.action == Action.DISPATCH else _("Assisting unit"),
                choices=unit_choices(self.units.values(), self.suggested),
                widget=forms.Select(attrs={"class": "form-select", "data-unit-search": UNIT_SEARCH_HINT,
                                           "data-testid": f"{self.action}-unit"}),
            )
        if name == "photos":
            if self.action == Action.VERIFY:
                return PhotosField(label=_("Photos on site"), min_count=0, max_count=MAX_EVIDENCE_PHOTOS)
            return PhotosField(label=_("Photos of the fix"), min_count=1, max_count=MAX_EVIDENCE_PHOTOS)
        if name == "rating":
            return forms.TypedChoiceField(
                label=_("Your rating"), coerce=int, choices=[(i, str(i)) for i in range(5, 0, -1)], widget=forms.RadioSelect
            )
        if name == "comment":
            return forms.CharField(
                label=_("Comment (optional)"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        raise KeyError(name)

    def params(self):
        params = dict(self.cleaned_data)
        if "unit" in params:
            params["unit"] = self.units[params["unit"]] if params["unit"] else None
        return params


class BulkDispatchForm(forms.Form):
    unit = forms.ChoiceField(label=_("Dispatch the selected cases to"), widget=forms.Select(attrs={
        "class": "form-select form-select-sm w-auto flex-grow-1", "data-unit-search": UNIT_SEARCH_HINT,
        "data-testid": "bulk-unit"}))
    note = forms.CharField(label=_("Note (optional)"), max_length=1000, required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {str(u.pk): u for u in units}
        self.fields["unit"].choices = unit_choices(self.units.values())


class LedgerForm(forms.Form):
    area = forms.ChoiceField(label=_("Area"))
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = {a.code: a for a in areas}
        depth0 = min((a.depth for a in areas), default=0)
        self.fields["area"].choices = [(a.code, "\u3000" * (a.depth - depth0) + a.name) for a in areas]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", forms.ValidationError(_("The end comes before the start."), code="invalid"))
        if data.get("area"):
            data["area"] = self.areas[data["area"]]
        return data
