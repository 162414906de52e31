"""One FilterSet for the area pages and the API.

Give it an already scoped queryset (`queries.areas_for(user)`): the filters
only narrow what the user may see.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from linli.core.filters import FilterSet, TreeFilterMixin

from .choices import AreaLevel
from .models import Area


class AreaFilterSet(TreeFilterMixin, FilterSet):
    level = django_filters.MultipleChoiceFilter(choices=AreaLevel.choices, label=_("level"))
    parent = django_filters.CharFilter(method="filter_parent", label=_("parent code (its direct children)"))
    within = django_filters.CharFilter(method="filter_within", label=_("area code (with everything under it)"))
    code = django_filters.CharFilter(field_name="code", lookup_expr="startswith", label=_("code starts with"))
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("name contains"))

    class Meta:
        model = Area
        fields = ["level", "parent", "within", "code", "q"]

    def tree_node(self, code):
        return Area.objects.filter(code=code.strip()).values_list("path", "depth").first()
