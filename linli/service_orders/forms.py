from django import forms
from django.utils.translation import gettext_lazy as _

from linli.places.choices import AreaLevel
from linli.places.models import Area

from .choices import OfferingKind


class OrderForm(forms.Form):
    """The resident's order (点单); what it means is checked by actions.check_order."""

    area = forms.ModelChoiceField(
        label=_("Community"), queryset=Area.objects.filter(level=AreaLevel.COMMUNITY).order_by("code"),
        to_field_name="code",
    )
    offering = forms.TypedChoiceField(label=_("Service"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind of service"), choices=[("", "—"), *OfferingKind.choices], required=False)
    address = forms.CharField(label=_("Address"), max_length=200)
    starts_at = forms.DateTimeField(label=_("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    notes = forms.CharField(label=_("Notes"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, menu=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offering"].choices = [("", _("Any team (choose the kind)"))] + [
            (offering.pk, f"{offering.name} · {offering.team.name}") for offering in menu
        ]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
