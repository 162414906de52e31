"""One hotline row → the arguments of `check_report`, or a row problem (code + Chinese text).

`RowReader` is built once per import run: the address matcher (one query), the areas it
may return (one query), the categories by name and code (one query); after that a row
costs no query until it is filed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import mainland_mobile_validator, normalize_phone
from linli.cases.models import Category
from linli.cases.routing import AREA_FIELDS, locate_code
from linli.places.addresses import MATCH_LEVELS, AddressMatcher
from linli.places.locate import to_wgs84
from linli.places.models import Area

from .files import json_value

NUMBER_MAX_LENGTH = 64
MOBILE = mainland_mobile_validator.regex  # the accounts rule for a mobile number
LANDLINE = re.compile(r"^0?\d{7,12}$")  # with or without the area code, extension dropped
CATEGORY_SEPARATORS = re.compile(r"[-－/／>＞、|]+")
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
    "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y.%m.%d", "%Y%m%d%H%M%S", "%Y%m%d",
    "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日%H时%M分", "%Y年%m月%d日 %H时%M分", "%Y年%m月%d日",
    "%Y-%m-%dT%H:%M:%S",
)
EXCEL_EPOCH = datetime(1899, 12, 30)


class RowProblem(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, str(message)


@dataclass
class OrderRow:
    number: int
    external_number: str
    values: list
    description: str
    address: str
    caller_name: str
    phone: str  # mobile for the case, "" otherwise
    caller_phone: str  # as given (landlines too)
    category: Category
    area_hint: Area | None
    lat: float | None
    lng: float | None
    received_at: datetime | None
    due_at: datetime | None


def parse_datetime(value, *, end_of_day=False):
    """A cell → aware datetime, None when empty; raises ValueError when it is not a date."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(23, 59, 59) if end_of_day else time())
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if len(str(int(value))) in (8, 14):  # 20240501 / 20240501102030 written as a number
            return parse_datetime(str(int(value)), end_of_day=end_of_day)
        if not 1 <= value < 2958466:  # Excel serial days (CSV exports of date cells)
            raise ValueError(value)
        moment = EXCEL_EPOCH + timedelta(days=float(value))
    else:
        text = re.sub(r"\s+", " ", str(value).strip())
        moment = None
        for pattern in DATE_FORMATS:
            try:
                moment = datetime.strptime(text, pattern)
            except ValueError:
                continue
            if end_of_day and ":" not in text and "时" not in text and len(text) <= 11:
                moment = datetime.combine(moment.date(), time(23, 59, 59))
            break
        if moment is None:
            raise ValueError(value)
    if not 2000 <= moment.year <= 2100:
        raise ValueError(value)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _text(value) -> str:
    return "" if value is None else str(json_value(value)).strip()


class RowReader:
    """Checks rows of one import against its mapping, area and categories."""

    def __init__(self, job):
        self.job = job
        self.position = {key: job.headers.index(header) for key, header in job.mapping.items() if header in job.headers}
        area = job.area
        self.area_code = area.code
        self.matcher = AddressMatcher(within=area)
        self.areas = {
            row.pk: row
            for row in Area.objects.filter(path__startswith=area.path, level__in=MATCH_LEVELS).only(*AREA_FIELDS)
        }
        self.areas.setdefault(area.pk, area)
        self.categories = self._category_lookup()
        self.fallback = job.fallback_category if job.fallback_category_id and job.fallback_category.is_active else None
        self.seen: dict[str, int] = {}  # external number → first row with it in this file

    @staticmethod
    def _category_lookup():
        by_name: dict[str, list[Category]] = {}
        by_code: dict[str, Category] = {}
        for category in Category.objects.filter(is_active=True):
            by_name.setdefault(category.name.strip(), []).append(category)
            by_code[category.code.lower()] = category
        lookup = {name: found[0] for name, found in by_name.items() if len(found) == 1}  # ambiguous names: no
        lookup.update({f"code:{code}": category for code, category in by_code.items()})
        return lookup

    def get(self, values, key):
        index = self.position.get(key)
        return values[index] if index is not None and index < len(values) else None

    def external_number(self, values) -> str:
        return _text(self.get(values, "external_number"))[:NUMBER_MAX_LENGTH]

    # -- single fields -------------------------------------------------------------------------
    def _category(self, text):
        text = text.strip()
        if text:
            found = self.categories.get(text) or self.categories.get(f"code:{text.lower()}")
            if found:
                return found
            # "城市管理-市容环卫-占道经营": the most specific known part.
            for part in reversed([p.strip() for p in CATEGORY_SEPARATORS.split(text) if p.strip()]):
                found = self.categories.get(part) or self.categories.get(f"code:{part.lower()}")
                if found:
                    return found
        if self.fallback is not None:
            return self.fallback
        if not text:
            raise RowProblem("category_required", _("The type is empty and no fallback category is set."))
        raise RowProblem("unknown_category", _("Unknown type “%(type)s”.") % {"type": text[:40]})

    @staticmethod
    def _phone(text):
        if not text:
            return "", ""
        digits = normalize_phone(text.split("转")[0].split("ext")[0])
        if MOBILE.match(digits):
            return digits, digits
        if LANDLINE.match(digits):
            return "", text[:20]
        raise RowProblem("bad_phone", _("The phone number “%(phone)s” is not valid.") % {"phone": text[:20]})

    def _point(self, values):
        lat, lng = self.get(values, "lat"), self.get(values, "lng")
        if lat in (None, "") and lng in (None, ""):
            return None
        point = to_wgs84(lat, lng, self.job.coord_system)
        if point is None:
            raise RowProblem("bad_coordinates", _("The longitude or latitude is not valid."))
        return point

    # -- the row ---------------------------------------------------------------------------------
    def read(self, number, values) -> OrderRow:
        """The checked row, or RowProblem. Also remembers its number for the in-file duplicate check."""
        external_number = self.external_number(values)
        if not external_number:
            raise RowProblem("number_required", _("The work order number is missing."))
        first = self.seen.setdefault(external_number, number)
        if first != number:
            raise RowProblem(
                "duplicate_in_file", _("The same work order number is already on row %(row)d of this file.") % {"row": first}
            )
        description = _text(self.get(values, "description"))
        if not description:
            raise RowProblem("description_required", _("The description is missing."))
        dates = {}
        for key, label in (("received_at", _("received at")), ("due_at", _("due date"))):
            try:
                dates[key] = parse_datetime(self.get(values, key), end_of_day=key == "due_at")
            except (ValueError, OverflowError):
                raise RowProblem(
                    "bad_date", _("The %(field)s “%(value)s” is not a date.") % {
                        "field": label, "value": _text(self.get(values, key))[:30]}
                ) from None
        phone, caller_phone = self._phone(_text(self.get(values, "phone")))
        category = self._category(_text(self.get(values, "category")))
        address = _text(self.get(values, "address"))
        point = self._point(values)
        if point is not None:
            code = locate_code(*point)
            if code is None or not code.startswith(self.area_code):
                point = None  # outside our grids: the address decides
        hint = None
        if address:
            area_id = self.matcher.match_id(address)
            hint = self.areas.get(area_id) if area_id else None
        if point is None and hint is None:
            if not address:
                raise RowProblem("address_required", _("The address is missing."))
            raise RowProblem(
                "unknown_address",
                _("No street, community or grid of %(area)s is named in the address.") % {"area": self.job.area.name},
            )
        if hint is None:
            hint = self.job.area  # coordinates decide; a hint keeps check_report's address rule satisfied
        return OrderRow(
            number=number,
            external_number=external_number,
            values=[json_value(value) for value in values],
            description=description,
            address=address,
            caller_name=_text(self.get(values, "caller_name"))[:50],
            phone=phone,
            caller_phone=caller_phone,
            category=category,
            area_hint=hint,
            lat=point[0] if point else None,
            lng=point[1] if point else None,
            received_at=dates["received_at"],
            due_at=dates["due_at"],
        )
