import os

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/lib/chromium/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Debian's chromium is missing at {CHROMIUM}: run `make install-dev` (browser tests never skip)"
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Chromium asks for English by default; a resident's phone in Jining asks for Chinese.
    return {**browser_context_args, "locale": "zh-CN"}


@pytest.fixture(scope="session", autouse=True)
def _database_before_the_browser(django_db_setup):
    """Create the test database before Playwright starts its event loop in this thread: Django refuses
    synchronous database calls while a loop runs."""


@pytest.fixture(scope="session", autouse=True)
def _allow_sync_orm_while_playwright_runs():
    # Playwright's sync API keeps an event loop running in this thread for the whole session, and
    # pytest-django flushes the database after each transactional test while it runs; the ORM calls
    # themselves are ordinary synchronous ones.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield
