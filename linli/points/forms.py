from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.orgs.queries import organizations_in
from linli.places.choices import AreaLevel
from linli.places.queries import areas_in

from .actions import MAX_POINTS
from .choices import Period, RewardKind


class RewardForm(forms.Form):
    """A reward of the catalog; communities and providers limited to the staff member's scope."""

    community = forms.ModelChoiceField(queryset=None, label=_("Community"))
    provider = forms.ModelChoiceField(queryset=None, required=False, label=_("Provider"),
                                      help_text=_("Empty: the community itself gives it."))
    name = forms.CharField(max_length=100, label=_("Name"))
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label=pgettext_lazy("reward", "Description"))
    kind = forms.ChoiceField(choices=RewardKind.choices, label=_("Kind"))
    cost = forms.IntegerField(min_value=1, max_value=MAX_POINTS, label=_("Points needed"))
    stock = forms.IntegerField(min_value=0, max_value=MAX_POINTS, label=_("In stock"))
    per_person_limit = forms.IntegerField(min_value=1, max_value=MAX_POINTS, required=False,
                                          label=_("Limit per person"), help_text=_("Empty: no limit."))
    available_from = forms.DateTimeField(required=False, label=_("Available from"),
                                         widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    available_until = forms.DateTimeField(required=False, label=_("Available until"),
                                          widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    active = forms.BooleanField(required=False, initial=True, label=_("On the shelf"))

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        from linli.places.models import Area

        # Staff pick their communities; an org admin the communities under the areas their organizations serve.
        areas = areas_in(scope).filter(level=AreaLevel.COMMUNITY)
        organizations = organizations_in(scope).select_related("area")
        served = [org.area.path for org in organizations if org.area_id]
        if served:
            from django.db.models import Q

            served_q = Q()
            for path in served:
                served_q |= Q(path__startswith=path)
            areas = areas | Area.objects.filter(served_q, level=AreaLevel.COMMUNITY)
        self.fields["community"].queryset = areas.order_by("path")
        self.fields["provider"].queryset = organizations.order_by("path")


class AdjustForm(forms.Form):
    """A correction of a resident's points by community staff; `key` is made when the form is
    shown, so submitting it twice (a double tap, a resend) posts once."""

    mobile = forms.CharField(max_length=20, label=_("Resident's mobile number"),
                             widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    delta = forms.IntegerField(min_value=-MAX_POINTS, max_value=MAX_POINTS, label=_("Points (+ to add, - to take)"))
    reason = forms.CharField(max_length=200, label=_("Reason"))
    key = forms.UUIDField(widget=forms.HiddenInput)

    def clean_mobile(self):
        from linli.accounts.models import normalize_phone

        return normalize_phone(self.cleaned_data["mobile"])


class CodeForm(forms.Form):
    # Longer than a code: whatever a scanned QR holds gets the "no such code" answer, not a length error.
    code = forms.CharField(max_length=200, label=_("Pickup code"),
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "inputmode": "text", "autofocus": True}))


class LeaderboardForm(forms.Form):
    area = forms.ModelChoiceField(queryset=None, to_field_name="code", required=False, label=_("Area"))
    period = forms.ChoiceField(choices=Period.choices, required=False, label=_("Period"))
    date = forms.DateField(required=False, label=_("Day in the period"),
                           widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas

    def clean_date(self):
        value = self.cleaned_data.get("date")
        if value and not 2000 <= value.year <= 2999:
            raise forms.ValidationError(_("Choose a date between %(a)d and %(b)d.") % {"a": 2000, "b": 2999})
        return value
