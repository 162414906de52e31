"""Login forms: staff with mobile number + password, residents with mobile number + SMS code."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import mainland_mobile_validator, normalize_phone

PHONE_MAX_LENGTH = 20  # room for "+86 138 0013 8000"


def phone_widget(**attrs):
    return forms.TextInput(
        attrs={
            "inputmode": "tel",
            "autocomplete": "tel",
            "placeholder": _("11-digit mobile number"),
            "maxlength": PHONE_MAX_LENGTH,
            **attrs,
        }
    )


def clean_phone_value(value):
    phone = normalize_phone(value)
    try:
        mainland_mobile_validator(phone)
    except ValidationError:
        raise ValidationError(_("Enter a valid mainland China mobile number (11 digits starting with 1)."), code="phone")
    return phone


class StaffLoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Mobile number"), max_length=PHONE_MAX_LENGTH, widget=phone_widget(autofocus=True, autocomplete="username")
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        "invalid_login": _("Wrong mobile number or password. Please check and try again."),
        "inactive": _("This account has been deactivated."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # AuthenticationForm narrows the field to the model's max_length (11).
        self.fields["username"].max_length = PHONE_MAX_LENGTH
        self.fields["username"].widget.attrs["maxlength"] = PHONE_MAX_LENGTH

    def clean_username(self):
        return normalize_phone(self.cleaned_data["username"])


class RequestCodeForm(forms.Form):
    phone = forms.CharField(label=_("Mobile number"), max_length=PHONE_MAX_LENGTH, widget=phone_widget(autofocus=True))

    def clean_phone(self):
        return clean_phone_value(self.cleaned_data["phone"])


class EnterCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True, "class": "ll-code-input"}
        ),
    )

    def clean_code(self):
        # The login action checks the format and says what is wrong.
        return "".join(self.cleaned_data["code"].split())
