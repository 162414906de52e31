"""One FilterSet for the organization list page and the API.

Give it an already scoped queryset (`queries.organizations_for(user)`): the
filters only narrow what the user may see.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from linli.core.filters import FilterSet, TreeFilterMixin
from linli.places.choices import AreaLevel
from linli.places.models import Area

from .choices import NewSector, OrganizationKind
from .models import Organization
from .queries import new_sector_q


class OrganizationFilterSet(TreeFilterMixin, FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=OrganizationKind.choices, label=_("kind"))
    area = django_filters.CharFilter(method="filter_area", label=_("area code (with everything under it)"))
    area_level = django_filters.ChoiceFilter(field_name="area__level", choices=AreaLevel.choices, label=_("level served"))
    new_sector = django_filters.ChoiceFilter(choices=NewSector.choices, method="filter_new_sector", label=_("new-sector tag"))
    parent = django_filters.NumberFilter(method="filter_parent", label=_("parent organization"))
    within = django_filters.NumberFilter(method="filter_within", label=_("organization (with everything under it)"))
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("name contains"))

    class Meta:
        model = Organization
        fields = ["kind", "area", "area_level", "new_sector", "parent", "within", "q"]

    def filter_area(self, queryset, name, value):
        path = Area.objects.filter(code=value.strip()).values_list("path", flat=True).first()
        return queryset.filter(area__path__startswith=path) if path else queryset.none()

    def filter_new_sector(self, queryset, name, value):
        return queryset.filter(new_sector_q(value))

    def tree_node(self, pk):
        return Organization.objects.filter(pk=pk).values_list("path", "depth").first()
