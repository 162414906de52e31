"""Filter building blocks shared by the tree-shaped models (Area, Organization)."""


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
