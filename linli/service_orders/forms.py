from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.orgs.models import Organization
from linli.places.choices import AreaLevel
from linli.places.models import Area

from .choices import AREA_LEVELS_SERVED, OfferingKind


def is_area_code(value) -> bool:
    """Area codes are ASCII digits: anything else (a NUL byte, "١٢") never reaches the database."""
    return isinstance(value, str) and value.isascii() and value.isdigit()


class AreaCodeField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not is_area_code(str(value)):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class OrderForm(forms.Form):
    """The resident's order (点单); what it means is checked by actions.check_order."""

    area = AreaCodeField(
        label=_("Community"), queryset=Area.objects.filter(level=AreaLevel.COMMUNITY).order_by("code"),
        to_field_name="code",
    )
    offering = forms.TypedChoiceField(label=_("Service"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind of service"), choices=[("", "—"), *OfferingKind.choices], required=False)
    address = forms.CharField(label=_("Address"), max_length=200)
    starts_at = forms.DateTimeField(label=pgettext_lazy("service order", "From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    notes = forms.CharField(label=_("Notes"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, menu=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offering"].choices = [("", _("Any team (choose the kind)"))] + [
            (offering.pk, f"{offering.name} · {offering.team.name}") for offering in menu
        ]
        for field in self.fields.values():
            css = "form-select form-select-lg" if isinstance(field.widget, forms.Select) else "form-control form-control-lg"
            field.widget.attrs.setdefault("class", css)

    def full_clean(self):
        super().full_clean()
        # Errors show on the fields themselves (the page reads them out to screen readers).
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                widget.attrs["aria-invalid"] = "true"


class OfferingForm(forms.Form):
    """A team's menu item (服务菜单); what it means is checked by actions.check_save_offering.

    `teams` are the teams the leader runs; the areas served offered are the streets and communities
    under those teams' own areas, and clean() keeps them inside the chosen team's area."""

    team = forms.ModelChoiceField(label=_("Team"), queryset=Organization.objects.none(), empty_label=None)
    name = forms.CharField(label=_("Service name"), max_length=80)
    kind = forms.ChoiceField(label=_("Kind of service"), choices=OfferingKind.choices)
    description = forms.CharField(
        label=_("What the service includes"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    available = forms.CharField(
        label=_("When the team serves"), required=False, max_length=80,
        help_text=_("In your own words, e.g. 每周六上午 9:00–11:30 or 工作日下午"),
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("Areas served"), queryset=Area.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    active = forms.BooleanField(label=_("On the menu (residents can order it)"), required=False, initial=True)

    def __init__(self, *args, teams, fixed_team=None, **kwargs):
        super().__init__(*args, **kwargs)
        teams = list(teams)
        self.fields["team"].queryset = Organization.objects.filter(pk__in=[t.pk for t in teams]).order_by("name")
        if fixed_team is not None:
            # An offering stays with its team: the action refuses to move it.
            self.fields["team"].disabled = True
            self.fields["team"].initial = fixed_team.pk
        under_teams = Q(pk__in=[])
        for team in teams:
            under_teams |= Q(path__startswith=team.area.path)
        self.fields["areas"].queryset = (
            Area.objects.filter(under_teams, level__in=AREA_LEVELS_SERVED).order_by("path")
        )
        self.fields["areas"].label_from_instance = _area_label
        for name, field in self.fields.items():
            if name in ("areas", "active"):
                css = "form-check-input"
            else:
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


def _area_label(area):
    # Communities indented under their street, so the checkboxes read as a tree on a phone.
    return f"\u3000{area.name}" if area.level == AreaLevel.COMMUNITY else area.name
