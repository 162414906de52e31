import pytest

from linli.places.locate import invalidate_grid_index


@pytest.fixture(autouse=True)
def _fresh_grid_index():
    # Tests roll back instead of committing, so the index must not outlive one.
    invalidate_grid_index()
    yield
    invalidate_grid_index()
