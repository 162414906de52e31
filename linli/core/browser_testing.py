"""pytest fixtures for the browser tests: Debian's Chromium driven by Playwright.

Never `playwright install` (it cannot download here): `make test` installs Debian's
chromium and fonts-noto-cjk, and Playwright launches that binary.
"""

import shutil
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # the machine has no network: without these Chromium keeps dialling out
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def output_dir(request):
    """test-output/<test name>/, emptied first: where the test's screenshots go."""
    path = Path(settings.BASE_DIR) / "test-output" / request.node.name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


@pytest.fixture
def browser_args():
    """Extra Chromium switches; a test module overrides this fixture (e.g. for a fake camera)."""
    return []


@pytest.fixture
def browser(monkeypatch, browser_args):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls
    # from such a thread unless told it is fine (it is: tests only).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *browser_args])
        try:
            yield browser
        finally:
            browser.close()
