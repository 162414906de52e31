"""The production static build and compressed answers (issue 15).

`collectstatic` runs as a deployment runs it: `DEBUG` off and no static setting of our own, so the
default storage (hashed names, Brotli and gzip copies) is what is tested. The collected folder is
then served through the app's own middleware, as gunicorn would serve it.
"""

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import brotli
import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from linli.core.compression import CompressTextMiddleware

ROOT = Path(settings.BASE_DIR)


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """STATIC_ROOT after `manage.py collectstatic` with the production defaults."""
    var = tmp_path_factory.mktemp("production-var")
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "STATIC_MANIFEST", "DATABASE_URL"}}
    env.update(SECRET_KEY="collectstatic-test-only", LINLI_VAR_DIR=str(var))
    result = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return var / "static"


@pytest.fixture
def production_static(settings, collected):
    settings.DEBUG = False
    settings.STATIC_ROOT = collected
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    return collected


def hashed_name(static_root, name):
    return json.loads((static_root / "staticfiles.json").read_text())["paths"][name]


def test_collectstatic_writes_hashed_files_with_brotli_and_gzip_copies(collected):
    for name in ("bootstrap/bootstrap.min.css", "bootstrap/bootstrap.min.js", "css/linli.css",
                 "leaflet/leaflet.js", "htmx/htmx.min.js"):
        hashed = hashed_name(collected, name)
        assert re.search(r"\.[0-9a-f]{12}\.", hashed), hashed
        original = (collected / hashed).read_bytes()
        assert brotli.decompress((collected / f"{hashed}.br").read_bytes()) == original
        assert gzip.decompress((collected / f"{hashed}.gz").read_bytes()) == original
    # the source map leaflet.js names is there: its absence broke the manifest build once
    assert (collected / hashed_name(collected, "leaflet/leaflet.js.map")).exists()


def test_the_bootstrap_build_keeps_only_what_the_pages_use(collected):
    css = (collected / "bootstrap/bootstrap.min.css").read_text(encoding="utf-8-sig")
    for used in (".navbar-toggler", ".modal-dialog", ".list-group-item", ".breadcrumb", ".progress-bar", ".col-md-6"):
        assert used in css, used
    for left_out in (".carousel-item", ".dropdown-item", ".offcanvas-backdrop", ".accordion-button", ".tooltip-inner",
                     ".popover-header", ".toast-header", ".spinner-border", ".placeholder-glow"):
        assert left_out not in css, left_out
    js = (collected / "bootstrap/bootstrap.min.js").read_text()
    assert "bs.collapse" in js and "bs.modal" in js and "bs.dropdown" not in js
    assert len(css.encode()) < 200_000 and len(js.encode()) < 30_000


@pytest.mark.django_db
def test_a_static_file_and_a_page_are_served_compressed(production_static):
    client = Client()  # a new handler: whitenoise reads the collected folder when it starts
    page = client.get(reverse("home"), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert page.status_code == 200
    assert page["Content-Encoding"] == "gzip" and "Accept-Encoding" in page["Vary"]
    html = gzip.decompress(page.content).decode()
    css_url = settings.STATIC_URL + hashed_name(production_static, "bootstrap/bootstrap.min.css")
    assert f'href="{css_url}"' in html  # the page names the hashed file

    original = (production_static / hashed_name(production_static, "bootstrap/bootstrap.min.css")).read_bytes()
    br = client.get(css_url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert br.status_code == 200 and br["Content-Encoding"] == "br"
    assert "immutable" in br["Cache-Control"] and "max-age=315360000" in br["Cache-Control"]
    assert brotli.decompress(b"".join(br.streaming_content)) == original
    gz = client.get(css_url, HTTP_ACCEPT_ENCODING="gzip")
    assert gz["Content-Encoding"] == "gzip" and gzip.decompress(b"".join(gz.streaming_content)) == original
    plain = client.get(css_url)
    assert not plain.has_header("Content-Encoding") and b"".join(plain.streaming_content) == original


@pytest.mark.django_db
def test_an_api_answer_is_gzipped_for_a_client_that_asks(client):
    response = client.get("/api/schema/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    assert b"openapi" in gzip.decompress(response.content)
    assert not client.get("/api/schema/").has_header("Content-Encoding")


@pytest.mark.parametrize(("content_type", "compressed"), [
    ("text/html; charset=utf-8", True),
    ("application/json", True),
    ("application/vnd.oai.openapi; charset=utf-8", True),
    ("application/vnd.oai.openapi+json", True),
    ("application/geo+json", True),
    ("text/csv", True),
    ("image/svg+xml", True),
    ("image/jpeg", False),
    ("application/pdf", False),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
])
def test_only_text_is_compressed(content_type, compressed):
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip")
    body = b"linli " * 400
    response = CompressTextMiddleware(lambda r: HttpResponse(body, content_type=content_type))(request)
    assert response.has_header("Content-Encoding") is compressed
    assert (gzip.decompress(response.content) if compressed else response.content) == body
