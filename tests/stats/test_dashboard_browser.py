"""The street secretary's dashboard in Debian's chromium: ECharts draws the trend, the categories and
the grid map from vendor files (no CDN), with no script errors. Screenshot in test-artifacts/."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (  # noqa: F401  (the browser fixtures, shared with tests/browser)
    _allow_sync_orm_while_playwright_runs,
    _database_before_the_browser,
    browser_context_args,
    browser_type_launch_args,
)

from .conftest import at  # noqa: F401
from .timelines import build_month

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_draws_its_charts(page: Page, live_server, world, categories, report, when):
    build_month(world, report, when)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda r: errors.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名或手机号").fill("street_secretary")
    page.get_by_label("密码").fill("pw-Muling-123")
    page.locator("main form button[type=submit]").click()
    page.goto(f"{live_server.url}/stats/?from=2026-11-01&to=2026-11-30")
    for chart in ("trend", "categories", "map"):
        expect(page.locator(f'[data-chart="{chart}"] svg')).to_have_count(1)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "stats-dashboard.png"), full_page=True)
    assert errors == []
