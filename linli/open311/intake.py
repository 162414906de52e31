"""Reading a POSTed GeoReport v2 request: attribute answers, location, contact details.

Pure validation (and the reads it needs); the writes are in `actions`. Every problem is an
Open311Error with status 400 (404 for an unknown service_code) and a translated description.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from linli.accounts.models import mainland_mobile_validator, normalize_phone
from linli.core.ids import LATITUDE, LONGITUDE, parse_coordinate
from linli.places.addresses import match_area
from linli.places.locate import to_wgs84
from linli.places.models import Area

from .choices import (
    ANSWER_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    MEDIA_URL_MAX_LENGTH,
    STRING_MAX_LENGTH,
    Datatype,
)
from .errors import Open311Error

ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
CJK = re.compile(r"[\u3400-\u9fff]")
FIELD_LIMITS = {"first_name": 50, "last_name": 50, "device_id": 100, "account_id": 100, "email": 254}


def bad(message) -> Open311Error:
    return Open311Error(400, message)


def raw_answers(data) -> dict[str, list[str]]:
    """`attribute[code]=v` and `attribute[code][]=v1&attribute[code][]=v2` → {code: [values]}."""
    answers: dict[str, list[str]] = {}
    for key, values in data.lists():
        match = ATTRIBUTE_KEY.match(key)
        if match:
            answers.setdefault(match.group(1), []).extend(str(value) for value in values)
    return answers


def _number(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _answer(attribute, values: list[str]):
    """The stored answer to one attribute, or raise; None when not answered."""
    values = [value.strip() for value in values if value.strip()]
    if not values:
        return None
    label = attribute.description or attribute.code
    datatype = attribute.datatype
    if datatype == Datatype.MULTIVALUELIST:
        unknown = [value for value in values if value not in attribute.keys]
        if unknown:
            raise bad(_("%(question)s: %(value)s is not one of the listed values.") % {
                "question": label, "value": unknown[0]})
        return list(dict.fromkeys(values))
    if len(values) > 1:
        raise bad(_("%(question)s takes one answer.") % {"question": label})
    value = values[0]
    if datatype == Datatype.SINGLEVALUELIST:
        if value not in attribute.keys:
            raise bad(_("%(question)s: %(value)s is not one of the listed values.") % {
                "question": label, "value": value})
        return value
    if datatype == Datatype.NUMBER:
        number = _number(value)
        if number is None:
            raise bad(_("%(question)s takes a number.") % {"question": label})
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if datatype == Datatype.DATETIME:
        try:
            moment = parse_datetime(value)
        except ValueError:
            moment = None
        if moment is None:
            raise bad(_("%(question)s takes a date and time (ISO 8601).") % {"question": label})
        return moment.isoformat()
    limit = STRING_MAX_LENGTH if datatype == Datatype.STRING else ANSWER_MAX_LENGTH
    if len(value) > limit:
        raise bad(_("%(question)s: at most %(n)d characters.") % {"question": label, "n": limit})
    return value


def clean_answers(attributes, given: dict[str, list[str]]) -> dict:
    """Answers checked against the service definition: required, datatype, listed values."""
    answerable = {attribute.code: attribute for attribute in attributes if attribute.variable}
    unknown = sorted(set(given) - set(answerable))
    if unknown:
        raise bad(_("This service has no attribute %(code)s.") % {"code": unknown[0]})
    answers = {}
    for code, attribute in answerable.items():
        answer = _answer(attribute, given.get(code, []))
        if answer is None:
            if attribute.required:
                raise bad(_("Answer the required attribute %(code)s (%(question)s).") % {
                    "code": code, "question": attribute.description})
            continue
        answers[code] = answer
    return answers


@dataclass
class Location:
    point: tuple[float, float] | None = None  # WGS84 (lat, lng)
    area: Area | None = None  # from address_id, or matched from address_string
    address_string: str = ""
    address_id: str = ""


def _under(area, root) -> bool:
    return root is None or area.path.startswith(root.path)


def clean_location(data, jurisdiction) -> Location:
    """lat + long, or address_string, or address_id (an area code); inside the jurisdiction."""
    lat, lng = (str(data.get(name, "")).strip() for name in ("lat", "long"))
    address_string = str(data.get("address_string", "")).strip()
    address_id = str(data.get("address_id", "")).strip()
    root = jurisdiction.area if jurisdiction else None
    if len(address_string) > 200:
        raise bad(_("address_string: at most %(n)d characters.") % {"n": 200})
    location = Location(address_string=address_string, address_id=address_id)
    if lat or lng:
        if not (lat and lng):
            raise bad(_("Give both lat and long."))
        lat_value, lng_value = parse_coordinate(lat, LATITUDE), parse_coordinate(lng, LONGITUDE)
        if lat_value is not None and lng_value is not None:
            location.point = to_wgs84(lat_value, lng_value, "wgs84")
        if location.point is None:
            raise bad(_("lat and long are not valid WGS84 coordinates."))
    if address_id:
        area = Area.objects.filter(code=address_id[:15]).first() if len(address_id) <= 15 else None
        if area is None or not _under(area, root):
            raise bad(_("address_id is not a known area code of this jurisdiction."))
        location.area = area
    elif address_string and location.point is None:
        location.area = match_area(address_string, within=root)
        if location.area is None:
            raise bad(_("The address could not be found; give lat and long, or an address_id."))
    if location.point is None and location.area is None:
        raise bad(_("Give a location: lat and long, address_string or address_id."))
    return location


def clean_phone(value) -> str:
    given = str(value or "").strip()
    if not given:
        return ""
    phone = normalize_phone(given)
    try:
        mainland_mobile_validator(phone)
    except ValidationError:
        raise bad(_("phone is not a valid mainland China mobile number.")) from None
    return phone


@dataclass
class Contact:
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""
    device_id: str = ""
    account_id: str = ""

    @property
    def reporter_name(self) -> str:
        """Chinese names read family name first, without a space."""
        if CJK.search(self.first_name + self.last_name):
            return f"{self.last_name}{self.first_name}"
        return " ".join(part for part in (self.first_name, self.last_name) if part)


def clean_contact(data) -> Contact:
    values = {name: str(data.get(name, "")).strip() for name in FIELD_LIMITS}
    for name, limit in FIELD_LIMITS.items():
        if len(values[name]) > limit:
            raise bad(_("%(field)s: at most %(n)d characters.") % {"field": name, "n": limit})
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            raise bad(_("email is not a valid email address.")) from None
    return Contact(phone=clean_phone(data.get("phone")), **values)


def clean_description(data) -> str:
    description = str(data.get("description", "")).strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise bad(_("description: at most %(n)d characters.") % {"n": DESCRIPTION_MAX_LENGTH})
    return description


def clean_media_url(data) -> str:
    url = str(data.get("media_url", "")).strip()
    if not url:
        return ""
    if len(url) > MEDIA_URL_MAX_LENGTH:
        raise bad(_("media_url: at most %(n)d characters.") % {"n": MEDIA_URL_MAX_LENGTH})
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise bad(_("media_url is not a valid http or https URL.")) from None
    return url
