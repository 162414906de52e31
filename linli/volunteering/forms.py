"""Page forms: they parse input; the actions decide what is valid."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.places.models import Area

from .choices import Education, Gender, IdType, PoliticalStatus, ServiceArea



def style(form):
    """Bootstrap classes on the widgets."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            continue
        widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")


DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def preselect_single(form, *names):
    """A choice with one option is made already (one query per field)."""
    for name in names:
        options = list(form.fields[name].queryset[:2])
        if len(options) == 1 and not form.initial.get(name):
            form.fields[name].initial = options[0].pk
            form.fields[name].empty_label = None


class RegisterForm(forms.Form):
    area = forms.ModelChoiceField(
        Area.objects.filter(level__in=["community", "street"]).order_by("path"), label=_("Your community or street")
    )
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    # No preselected gender: the person chooses (a default would guess their data).
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", _("Choose"))] + list(Gender.choices))
    id_type = forms.ChoiceField(label=_("ID type"), choices=IdType.choices)
    id_number = forms.CharField(label=_("ID number"), max_length=40)
    birth_date = forms.DateField(label=_("Date of birth"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("Taken from the ID number for a resident ID card."))
    phone = forms.CharField(label=_("Mobile number"), max_length=20)
    political_status = forms.ChoiceField(label=_("Political status"), choices=PoliticalStatus.choices,
                                         initial=PoliticalStatus.MASSES)
    education = forms.ChoiceField(label=_("Education"), choices=[("", "—"), *Education.choices], required=False)
    skills = forms.CharField(label=_("Skills"), required=False, help_text=_("Separate with commas, e.g. 理发, 急救"))
    service_areas = forms.MultipleChoiceField(label=_("Service areas"), choices=ServiceArea.choices, required=False,
                                              widget=forms.CheckboxSelectMultiple)
    availability = forms.CharField(label=_("When you are available"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class ActivityForm(forms.Form):
    organization = forms.ModelChoiceField(None, label=_("Organizer"))
    title = forms.CharField(label=_("Title"), max_length=120)
    service_area = forms.ChoiceField(label=_("Activity type"), choices=ServiceArea.choices)
    area = forms.ModelChoiceField(None, label=_("Area"))
    place = forms.CharField(label=_("Where"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DATETIME)
    signup_closes_at = forms.DateTimeField(label=_("Sign-up closes"), widget=DATETIME, required=False,
                                           help_text=_("Empty: when the activity starts."))
    capacity = forms.IntegerField(label=_("Places at the main venue"), min_value=1, max_value=100000)
    points_per_hour = forms.IntegerField(label=_("Points per verified hour"), min_value=0, max_value=1000, initial=10)
    required_skills = forms.CharField(label=_("Required skills"), required=False)
    branches = forms.CharField(
        label=_("Branch venues"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: name, places (e.g. 文安社区分会场, 20)"))
    description = forms.CharField(label=pgettext_lazy("activity", "Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        paths = [o.area.path for o in organizations.select_related("area")]
        areas = Area.objects.none()
        for area_path in paths:
            areas = areas | Area.objects.filter(path__startswith=area_path)
        self.fields["area"].queryset = areas.exclude(level="grid").order_by("path")
        preselect_single(self, "organization", "area")
        style(self)

    def clean_branches(self):
        branches = []
        for line in self.cleaned_data["branches"].splitlines():
            if not line.strip():
                continue
            name, _sep, capacity = line.replace("，", ",").rpartition(",")
            capacity = capacity.strip()
            # isascii: "²".isdigit() is True, but int() refuses it.
            if not name.strip() or not capacity.isascii() or not capacity.isdigit():
                raise forms.ValidationError(_("Write each branch venue as: name, places"))
            branches.append({"name": name.strip(), "capacity": int(capacity)})
        return branches


class ProfileForm(RegisterForm):
    """What a volunteer edits of their own record: the registration form without the identity fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "gender", "id_type", "id_number", "birth_date"):
            del self.fields[name]


class ActivityEditForm(ActivityForm):
    """Editing a published activity: its own fields, the places of each venue, new branch venues.
    (The organizer and area stay; they decide who runs it.)"""

    signup_opens_at = forms.DateTimeField(label=_("Sign-up opens"), widget=DATETIME)
    field_order = ["title", "service_area", "place", "starts_at", "ends_at", "signup_opens_at", "signup_closes_at"]

    def __init__(self, *args, venues, **kwargs):
        from linli.orgs.models import Organization

        super().__init__(*args, organizations=Organization.objects.none(), **kwargs)
        for name in ("organization", "area", "capacity"):
            del self.fields[name]
        self.fields["signup_closes_at"].required = True
        self.fields["signup_closes_at"].help_text = ""
        self.fields["branches"].label = _("Add branch venues")
        self.venue_fields = {}
        for venue in venues:
            name = f"venue_{venue.pk}"
            self.fields[name] = forms.IntegerField(
                label=_("Places at %(venue)s") % {"venue": venue.name}, min_value=1, max_value=100000,
                initial=venue.capacity,
                help_text=_("%(count)d confirmed; not fewer than that.") % {"count": venue.confirmed_count})
            self.fields[name].widget.attrs["class"] = "form-control"
            self.venue_fields[name] = venue.pk
        self.order_fields([*self.field_order, *self.venue_fields, "branches"])

    def action_fields(self):
        """The changed fields, as check_update_activity takes them."""
        data = {name: self.cleaned_data[name] for name in self.changed_data if name not in self.venue_fields}
        for name in ("starts_at", "ends_at", "signup_opens_at", "signup_closes_at"):
            # The form shows minutes: an untouched time must not count as a change of seconds.
            initial = self.initial.get(name)
            if name in data and initial and data[name] == initial.replace(second=0, microsecond=0):
                del data[name]
        if "branches" in data:
            data["add_branches"] = data.pop("branches")
        capacities = {pk: self.cleaned_data[name] for name, pk in self.venue_fields.items()
                      if name in self.changed_data}
        if capacities:
            data["venue_capacities"] = capacities
        return data


class CancelActivityForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=200,
                             widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
                             help_text=_("The volunteers who signed up receive it by text message."))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class CertificateForm(forms.Form):
    """The organization and period of a service certificate (the volunteer is given by the page)."""

    organization = forms.ModelChoiceField(queryset=Area.objects.none(), label=_("Issuing organization"))
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        preselect_single(self, "organization")
        style(self)
