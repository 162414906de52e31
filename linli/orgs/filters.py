"""One FilterSet for the organization list page and the API.

Give it an already scoped queryset (`queries.organizations_for(user)`): the
filters only narrow what the user may see.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from linli.places.choices import AreaLevel
from linli.places.models import Area

from .choices import NewSector, OrganizationKind
from .models import Organization
from .queries import new_sector_q


class OrganizationFilterSet(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=OrganizationKind.choices, label=_("kind"))
    area = django_filters.CharFilter(method="filter_area", label=_("area code (with everything under it)"))
    area_level = django_filters.ChoiceFilter(field_name="area__level", choices=AreaLevel.choices, label=_("level served"))
    new_sector = django_filters.ChoiceFilter(choices=NewSector.choices, method="filter_new_sector", label=_("new-sector tag"))
    parent = django_filters.NumberFilter(method="filter_parent", label=_("parent organization"))
    under = django_filters.NumberFilter(method="filter_under", label=_("under organization"))
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("name contains"))

    class Meta:
        model = Organization
        fields = ["kind", "area", "area_level", "new_sector", "parent", "under", "q"]

    def filter_area(self, queryset, name, value):
        path = Area.objects.filter(code=value.strip()).values_list("path", flat=True).first()
        return queryset.filter(area__path__startswith=path) if path else queryset.none()

    def filter_new_sector(self, queryset, name, value):
        return queryset.filter(new_sector_q(value))

    def _node(self, pk):
        return Organization.objects.filter(pk=pk).values_list("path", "depth").first()

    def filter_parent(self, queryset, name, value):
        node = self._node(value)
        if node is None:
            return queryset.none()
        path, depth = node
        return queryset.filter(path__startswith=path, depth=depth + 1)

    def filter_under(self, queryset, name, value):
        node = self._node(value)
        return queryset.filter(path__startswith=node[0]) if node else queryset.none()
