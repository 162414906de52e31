"""Placeholder: replaced by the STRtree grid index."""


def invalidate_grid_index():
    pass
