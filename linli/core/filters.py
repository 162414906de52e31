"""Filter building blocks: the base FilterSet of every list, and the tree filters of Area and Organization."""

import django_filters
from django.http import QueryDict


class TreeFilterMixin:
    """`parent` (direct children) and `within` (whole subtree) filters by materialized path.

    A FilterSet using it declares the two filters with method="filter_parent" /
    "filter_within" and implements `tree_node(value)` → (path, depth) or None.
    """

    def tree_node(self, value):
        raise NotImplementedError

    def filter_parent(self, queryset, name, value):
        node = self.tree_node(value)
        if node is None:
            return queryset.none()
        path, depth = node
        return queryset.filter(path__startswith=path, depth=depth + 1)

    def filter_within(self, queryset, name, value):
        node = self.tree_node(value)
        return queryset.filter(path__startswith=node[0]) if node else queryset.none()


def without_blank_values(data):
    """A copy of query data without blank values: an "all …" option submits `name=`, which
    means "no filter" (a multiple-choice field would otherwise call it an invalid choice)."""
    cleaned = data.copy() if hasattr(data, "getlist") else QueryDict(mutable=True)
    if not hasattr(data, "getlist"):
        for key, value in data.items():
            cleaned.setlist(key, list(value) if isinstance(value, (list, tuple)) else [value])
    for key in list(cleaned.keys()):
        values = [v for v in cleaned.getlist(key) if not (isinstance(v, str) and not v.strip())]
        if values:
            cleaned.setlist(key, values)
        else:
            del cleaned[key]
    return cleaned


class FilterSet(django_filters.FilterSet):
    """The base of every Linli FilterSet (pages and API): an empty value is no filter, never an error."""

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(None if data is None else without_blank_values(data), *args, **kwargs)
