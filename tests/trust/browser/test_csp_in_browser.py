"""The Content-Security-Policy in a real browser: the pages with maps, charts, htmx and the print
button load without a single CSP violation or script error."""

import pytest
from playwright.sync_api import Page, expect

from muling.cases.defaults import install_default_categories
from muling.cases.models import Category
from tests.factories import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Muling-123"


def test_pages_load_without_csp_violations(live_server, page: Page):
    world = World.build()
    install_default_categories(Category)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console: {msg.text}")
            if msg.type == "error" and ("Content Security Policy" in msg.text or "Refused to" in msg.text)
            else None
        ),
    )
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名或手机号").fill("grid_worker")
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")
    grid, community = world.areas["grid"].code, world.areas["community"].code
    for path in [
        "/",
        "/cases/new/",
        f"/cases/public/{community}/",
        f"/places/{grid}/",
        f"/places/{grid}/cards/",
        "/stats/",
        "/cases/queue/",
    ]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    assert problems == []
