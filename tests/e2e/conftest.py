"""Browser tests: Playwright driving the Debian Chromium against Django's live server."""

import os
import shutil
from pathlib import Path

import pytest
from django.core.cache import caches
from playwright.sync_api import sync_playwright

from questions.bank import load_bank

# Playwright's sync API runs an event loop in this thread; the ORM calls in tests are still
# plain synchronous calls against the test database.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is not installed (make test-e2e installs it)."
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    blocked = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and blocked.append(f"{message.text} at {message.location}")
        ),
    )
    yield page
    context.close()
    assert blocked == [], "the page broke its own Content-Security-Policy"


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Every browser signs up from 127.0.0.1 and the counts outlive a test's tables: each
    test starts with none, as a new visitor would."""
    caches["throttle"].clear()


@pytest.fixture
def shipped_bank(db):
    load_bank()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take
