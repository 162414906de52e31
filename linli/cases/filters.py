"""One FilterSet for the queue pages and the API, and keyset pagination by -id.

Give the FilterSet an already scoped queryset (`queries.cases_for(user)`): the filters
only narrow what the user may see.
"""

from __future__ import annotations

from dataclasses import dataclass

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.filters import FilterSet

from .choices import ACCEPT_CLOCK_STATUSES, CLAIMABLE_STATUSES, RESOLVE_CLOCK_STATUSES, CaseStatus, Channel, SlaState
from .models import Case, Category

CLOCK_STATUSES = sorted(ACCEPT_CLOCK_STATUSES | RESOLVE_CLOCK_STATUSES)


class CaseFilterSet(FilterSet):
    # distinct=False: these filters join nothing, and DISTINCT makes PostgreSQL sort every match before LIMIT.
    status = django_filters.MultipleChoiceFilter(choices=CaseStatus.choices, label=_("status"), distinct=False)
    category = django_filters.CharFilter(method="filter_category", label=_("category code (with its subclasses)"))
    area = django_filters.CharFilter(method="filter_area", label=_("area code (with everything under it)"))
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices, label=_("channel"), distinct=False)
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("overdue"))
    due_soon = django_filters.BooleanFilter(method="filter_due_soon", label=_("due soon"))
    claimable = django_filters.BooleanFilter(method="filter_claimable", label=_("on a claim board"))
    unlocated = django_filters.BooleanFilter(field_name="unlocated", label=_("unlocated"))
    supervised = django_filters.BooleanFilter(field_name="supervised", label=_("under supervision"))
    unit = django_filters.NumberFilter(method="filter_unit", label=_("handling unit"))
    q = django_filters.CharFilter(method="filter_q", label=_("number or description contains"))

    class Meta:
        model = Case
        fields = ["status", "category", "area", "channel", "overdue", "due_soon", "claimable", "unlocated",
                  "supervised", "unit", "q"]

    def filter_category(self, queryset, name, value):
        path = Category.objects.filter(code=value.strip()).values_list("path", flat=True).first()
        return queryset.filter(category__path__startswith=path) if path else queryset.none()

    def filter_area(self, queryset, name, value):
        code = value.strip()
        if not code.isdigit():
            return queryset.none()
        return queryset.filter(area_code__startswith=code)

    def _sla(self, queryset, state, value):
        running = Q(sla_state=state, status__in=CLOCK_STATUSES)
        return queryset.filter(running) if value else queryset.exclude(running)

    def filter_overdue(self, queryset, name, value):
        return self._sla(queryset, SlaState.OVERDUE, value)

    def filter_due_soon(self, queryset, name, value):
        return self._sla(queryset, SlaState.DUE_SOON, value)

    def filter_claimable(self, queryset, name, value):
        claimable = Q(status__in=CLAIMABLE_STATUSES, board_area__isnull=False)
        return queryset.filter(claimable) if value else queryset.exclude(claimable)

    def filter_unit(self, queryset, name, value):
        if value != value.to_integral_value() or not 0 < value < 2**63:
            return queryset.none()  # an id that cannot exist (and would overflow the driver)
        return queryset.filter(unit_id=int(value))

    def filter_q(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(Q(number=text) | Q(description__icontains=text))


# -- keyset pagination -----------------------------------------------------------------------------


@dataclass
class KeysetPage:
    items: list
    has_next: bool
    has_previous: bool
    next_cursor: int | None  # pass as ?after=
    previous_cursor: int | None  # pass as ?before=

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


def _cursor(value):
    try:
        cursor = int(value)
    except (TypeError, ValueError):
        return None
    return cursor if 0 < cursor < 2**63 else None


def keyset_page(queryset, after=None, before=None, size=50) -> KeysetPage:
    """Newest first by id. `after`: the page of rows older than that id; `before`: the page
    of rows newer than that id. One query; the cost does not grow with the page number."""
    after, before = _cursor(after), _cursor(before)
    if before is not None and after is None:
        rows = list(queryset.filter(id__gt=before).order_by("id")[: size + 1])
        more = len(rows) > size
        items = list(reversed(rows[:size]))
        return KeysetPage(items, has_next=True, has_previous=more,
                          next_cursor=items[-1].pk if items else None,
                          previous_cursor=items[0].pk if items and more else None)
    if after is not None:
        queryset = queryset.filter(id__lt=after)
    rows = list(queryset.order_by("-id")[: size + 1])
    more = len(rows) > size
    items = rows[:size]
    return KeysetPage(items, has_next=more, has_previous=after is not None,
                      next_cursor=items[-1].pk if items and more else None,
                      previous_cursor=items[0].pk if items and after is not None else None)
