# The browser suite's Chromium, locale and database set-up, for the CSP check in this folder.
from tests.browser.conftest import (  # noqa: F401
    _allow_sync_orm_while_playwright_runs,
    _database_before_the_browser,
    browser_context_args,
    browser_type_launch_args,
)
