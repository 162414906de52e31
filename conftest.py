"""Shared fixtures: a small place tree in two streets, and personas on it."""

import pytest

pytest_plugins = ["linli.core.browser_testing", "linli.core.testing", "linli.cases.testing"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # The production hasher is slow by design; tests only need a real hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_routing_config():
    # Each test's database starts empty: no categories or rules cached from another test.
    from linli.cases.routing import invalidate_routing_config

    invalidate_routing_config()
    yield
    invalidate_routing_config()
