"""A NUL in a path segment answers 400, never a 500, on every route (the admin's included): one
walk over the URL resolver, signed in as a superuser and signed out, GET and POST."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

NAMED_GROUP = re.compile(r"\(\?P<\w+>(?:[^()]|\([^()]*\))*\)")


def routes(patterns=None, prefix=""):
    """Every route as a path, each parameter replaced by %00 (a route without one gets a %00 segment)."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        text = str(entry.pattern)
        if hasattr(entry.pattern, "regex") and text.startswith("^"):
            text = NAMED_GROUP.sub("%00", text.lstrip("^").rstrip("$").replace("\\Z", "")).replace("\\", "")
        else:
            text = re.sub(r"<[^>]+>", "%00", text)
        if isinstance(entry, URLResolver):
            yield from routes(entry.url_patterns, prefix + text)
        elif isinstance(entry, URLPattern):
            path = prefix + text
            if re.search(r"[()?*+|\[\]]", path):
                continue  # a pattern this walk cannot write; the middleware does not care which route it is
            yield "/" + (path if "%00" in path else path + ("" if path.endswith("/") or not path else "/") + "%00/")


PATHS = sorted(set(routes()))


def test_the_walk_covers_the_routes():
    assert len(PATHS) > 150
    for path in ("/volunteering/certificates/verify/%00/", "/places/%00/", "/volunteering/certificates/%00/pdf/",
                 "/admin/orgs/organization/%00/change/", "/volunteering/volunteers/%00/reveal-id/"):
        assert path in PATHS, path


def test_nul_in_any_path_segment_is_a_400(client):
    from linli.accounts.models import User

    extra = ["/admin/orgs/organization/children/%00/", "/admin/cases/category/children/%00/"]
    for signed_in in (False, True):
        if signed_in:
            client.force_login(User.objects.create_superuser(phone="13700000019", name="管理员", password="x-very-long-pass"))
        for path in PATHS + extra:
            for method in (client.get, client.post):
                response = method(path)
                assert response.status_code == 400, (path, method.__name__, signed_in, response.status_code)
    api = client.get("/api/v1/cases/%00/")
    assert api.json()["code"] == "invalid" and "path" in api.json()["fields"]
