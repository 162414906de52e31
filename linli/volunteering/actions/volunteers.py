"""Volunteers: registration, profile edits, revealing an ID number. The write contract is the package's text."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.http import Http404
from django.utils.translation import gettext as _

from linli.accounts.models import mainland_mobile_validator, normalize_phone
from linli.core.privacy import record_access
from linli.places.models import Area

from .. import idnumbers, queries
from ..choices import (
    Education,
    Gender,
    IdType,
    PoliticalStatus,
    ServiceArea,
)
from ..models import (
    Volunteer,
)
from .common import ID_NUMBER_FIELD, VolunteeringError, _choice, _text_list

# -- volunteers -----------------------------------------------------------------------------


def check_register_volunteer(user, *, area, name="", gender="", id_type=IdType.RESIDENT_ID, id_number="",
                             birth_date=None, phone="", political_status=PoliticalStatus.MASSES, education="",
                             skills=(), service_areas=(), availability="") -> Volunteer:
    if Volunteer.objects.filter(user=user).exists():
        raise VolunteeringError("already_registered", _("You are already registered as a volunteer."))
    profile = _clean_profile(
        user, area=area, phone=phone, political_status=political_status, education=education, skills=skills,
        service_areas=service_areas, availability=availability)
    name = str(name or user.name or "").strip()[:50]
    if not name:
        raise VolunteeringError("invalid", _("Enter your name."), field="name")
    gender = _choice(gender, Gender, "gender")
    id_type = _choice(id_type, IdType, "id_type")
    id_number = idnumbers.normalize(id_number)
    if id_type == IdType.RESIDENT_ID:
        if not idnumbers.is_valid_resident_id(id_number):
            raise VolunteeringError("bad_id_number", _("This is not a valid resident ID number."), field="id_number")
        birth_date = birth_date or idnumbers.birth_date_of(id_number)
        if birth_date != idnumbers.birth_date_of(id_number):
            raise VolunteeringError(
                "invalid", _("The date of birth does not match the ID number."), field="birth_date"
            )
    elif not 5 <= len(id_number) <= 32 or not id_number.isalnum():
        raise VolunteeringError("bad_id_number", _("Enter the document number as printed."), field="id_number")
    if birth_date is None:
        raise VolunteeringError("invalid", _("Enter your date of birth."), field="birth_date")
    if Volunteer.objects.filter(id_type=id_type, id_number=id_number).exists():
        raise VolunteeringError("duplicate_id", _("A volunteer with this ID number is already registered."),
                                field="id_number")
    return do_register_volunteer(
        user, name=name, gender=gender, id_type=id_type, id_number=id_number, birth_date=birth_date, **profile)


def _clean_profile(user, *, area, phone, political_status, education, skills, service_areas, availability) -> dict:
    """The fields a volunteer keeps up to date themself, cleaned (registration and profile edit)."""
    if not isinstance(area, Area) or area.level not in ("community", "street"):
        raise VolunteeringError("invalid", _("Choose your community or street."), field="area")
    phone = normalize_phone(phone or user.phone)
    try:
        mainland_mobile_validator(phone)
    except ValidationError as error:
        raise VolunteeringError("invalid", error.messages[0], field="phone") from None
    return {
        "area": area, "phone": phone,
        "political_status": _choice(political_status, PoliticalStatus, "political_status"),
        "education": _choice(education, Education, "education", required=False),
        "skills": _text_list(skills, "skills"),
        "service_areas": _text_list(service_areas, "service_areas", ServiceArea),
        "availability": str(availability or "").strip()[:200],
    }


def do_register_volunteer(user, *, area, **fields) -> Volunteer:
    try:
        with transaction.atomic():
            # The area row serializes numbering: two registrations never draw the same sequence.
            Area.objects.select_for_update().filter(pk=area.pk).first()
            # Counted by number, not by area: volunteers move to other areas and keep their number.
            prefix = f"V{area.code}"
            sequence = Volunteer.objects.filter(number__startswith=prefix).annotate(
                number_length=Length("number")).filter(number_length=len(prefix) + 5).count() + 1
            return Volunteer.objects.create(user=user, area=area, number=f"{prefix}{sequence:05d}", **fields)
    except IntegrityError:
        raise VolunteeringError("already_registered", _("You are already registered as a volunteer.")) from None


# The national record's identity: set at registration; a volunteer team corrects it, not the volunteer.
IDENTITY_FIELDS = ("name", "gender", "id_type", "id_number", "birth_date")
PROFILE_FIELDS = ("area", "phone", "political_status", "education", "skills", "service_areas", "availability")


def check_update_volunteer(user, volunteer, **fields) -> Volunteer:
    """The volunteer edits their own profile (PROFILE_FIELDS); identity fields are refused."""
    if volunteer.user_id != user.pk:
        raise Http404
    for field in IDENTITY_FIELDS:
        if field in fields:
            raise VolunteeringError(
                "identity_not_editable",
                _("Name, gender, ID type, ID number and date of birth cannot be changed here. "
                  "To change your identity details, contact your volunteer team."), field=field)
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    current = {field: getattr(volunteer, field) for field in PROFILE_FIELDS}
    profile = _clean_profile(user, **{**current, **fields})
    return do_update_volunteer(volunteer, profile)


def do_update_volunteer(volunteer, profile) -> Volunteer:
    with transaction.atomic():
        Volunteer.objects.filter(pk=volunteer.pk).update(**profile)
    for field, value in profile.items():
        setattr(volunteer, field, value)
    return volunteer


def check_reveal_id_number(viewer, volunteer, ip=None) -> str:
    """The full ID number, for leaders and admins of a team the volunteer belongs to or signed up with."""
    if not queries.volunteers_for_manager(viewer).filter(pk=volunteer.pk).exists():
        raise Http404
    return do_reveal_id_number(viewer, volunteer, ip)


def do_reveal_id_number(viewer, volunteer, ip=None) -> str:
    with transaction.atomic():
        record_access(viewer, f"volunteer:{volunteer.number}", ID_NUMBER_FIELD, ip)
    return volunteer.id_number
