"""The organization admin's form for a new webhook (validation proper is in actions)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import CASE_TOPICS


class WebhookForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=None, label=_("Organization"), empty_label=None)
    url = forms.CharField(
        label=_("Receiving address"),
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off", "inputmode": "url"}),
        help_text=_("Your system's address that will receive the events, starting with https://"),
    )
    topics = forms.MultipleChoiceField(
        label=_("Events to send"),
        choices=CASE_TOPICS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick nothing to receive every event."),
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
