"""Forms of the hotline pages: they check shapes; `actions` owns the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.cases.forms import category_choices

from .choices import COORD_SYSTEMS, FIELDS


class UploadForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), required=False, widget=forms.Select(attrs={"class": "form-select"}))
    source_name = forms.CharField(label=_("New source"), required=False, max_length=60,
                                  widget=forms.TextInput(attrs={"placeholder": _("e.g. Xiamen 12345")}))
    area = forms.ChoiceField(label=_("Area of the work orders"), required=False)
    file = forms.FileField(label=_("Excel or CSV file"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv,text/csv"}))

    def __init__(self, *args, sources=(), areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", _("— a new source —"))] + [
            (str(s.pk), f"{s.name} · {s.area.name}") for s in sources
        ]
        depth0 = min((a.depth for a in areas), default=0)
        self.fields["area"].choices = [(a.code, "\u3000" * (a.depth - depth0) + a.name) for a in areas]


class MappingForm(forms.Form):
    """One select per field listing the file's columns; fallback category and coordinate system."""

    def __init__(self, *args, headers=(), **kwargs):
        super().__init__(*args, **kwargs)
        columns = [("", _("— not in the file —"))] + [(h, h) for h in headers if h]
        for field in FIELDS:
            self.fields[field.key] = forms.ChoiceField(label=field.label, choices=columns, required=False)
            self.fields[field.key].required_field = field.required
        self.fields["fallback_category"] = forms.ChoiceField(
            label=_("Category for unknown types"), required=False, widget=forms.Select(attrs={"class": "form-select"}),
            choices=[("", _("— none: an unknown type is a row error —"))] + category_choices("pk")[1:],
        )
        self.fields["coord_system"] = forms.ChoiceField(label=_("Coordinates are in"), choices=COORD_SYSTEMS,
                                                        initial="wgs84", widget=forms.Select(attrs={"class": "form-select"}))

    def mapping(self):
        return {field.key: self.cleaned_data.get(field.key) or "" for field in FIELDS}


class ExportForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data
