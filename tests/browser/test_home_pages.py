"""Log in through the real form, look at the home pages in both languages, and keep screenshots.

Screenshots go to test-artifacts/ (gitignored): look at them — a page that passes but shows boxes
instead of Chinese characters, or no styles, is still broken.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.factories import World

PASSWORD = "pw-Muling-123"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.get_by_label("用户名或手机号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base_url}/")


def assert_styled(page: Page) -> None:
    """The stylesheet loaded: the top bar is red, not the browser's default transparent."""
    color = page.locator("header.topbar").evaluate("el => getComputedStyle(el).backgroundColor")
    assert color == "rgb(179, 38, 30)", color


def test_resident_logs_in_by_phone_and_switches_language(live_server, page: Page):
    World.build()
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    assert_styled(page)
    shot(page, "01-landing-zh")

    log_in(page, live_server.url, "13800000001")
    expect(page.locator("#section-household")).to_contain_text("王秀兰")
    expect(page.locator("#section-household")).to_contain_text("李建国")
    expect(page.locator("#section-household")).not_to_contain_text("赵敏")
    expect(page.locator("#section-contacts a[href='tel:13900000003']")).to_be_visible()
    assert_styled(page)
    shot(page, "02-resident-home-zh")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#section-household")).to_contain_text("王秀兰")
    shot(page, "03-resident-home-en")

    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("link", name="登录").first).to_be_visible()
    expect(page.locator("#section-household")).to_have_count(0)


def test_grid_worker_sees_the_grid_map_and_prints_a_card(live_server, page: Page):
    world = World.build()
    grid, building = world.areas["grid"], world.areas["building"]
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "grid_worker")
    section = page.locator(f"#section-grid-{grid.code}")
    expect(section).to_contain_text("1号楼")
    expect(section).to_contain_text("王秀兰")
    expect(section).not_to_contain_text("5号楼")
    assert_styled(page)
    shot(page, "04-grid-worker-home-zh")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shot(page, "05-grid-worker-home-en")
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.set_viewport_size(DESKTOP)
    section.get_by_role("link", name=grid.name).click()
    expect(page).to_have_url(re.compile(rf"/places/{grid.code}/$"))
    expect(page.locator("#grid-map .leaflet-interactive")).to_have_count(1)
    expect(page.locator("#grid-map .grid-label")).to_have_text(grid.name)
    shot(page, "06-grid-page-map")

    page.goto(f"{live_server.url}/places/{building.code}/card/")
    expect(page.locator(".service-card svg.qr")).to_be_visible()
    expect(page.locator(".service-card")).to_contain_text("13900000003")
    shot(page, "07-service-card")
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    page.pdf(path=str(ARTIFACTS / "07-service-card.pdf"), prefer_css_page_size=True)
    page.set_viewport_size({"width": 397, "height": 560})  # A6 at 96 dpi
    shot(page, "07-service-card-print")
    page.emulate_media(media="screen")
    page.set_viewport_size(DESKTOP)

    page.goto(f"{live_server.url}/people/search/?tag=elderly")
    expect(page.locator("#results")).to_contain_text("王秀兰")
    shot(page, "08-resident-search")


def test_scanning_the_card_opens_the_public_building_page(live_server, page: Page):
    world = World.build()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/b/{world.areas['building'].code}/")
    expect(page.locator("main")).to_contain_text("有事请联系网格员")
    expect(page.locator("main a[href='tel:13900000003']")).to_be_visible()
    assert_styled(page)
    shot(page, "09-building-entry")


def test_community_secretary_home_and_area_tree(live_server, page: Page):
    world = World.build()
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server.url, "community_secretary")
    expect(page.locator(f"#section-area-{world.areas['community'].code}")).to_contain_text("幸福街第二网格")
    shot(page, "10-secretary-home")

    page.get_by_role("navigation").get_by_role("link", name="区域").click()
    page.locator("details > summary").first.click()
    expect(page.locator(".tree")).to_contain_text("幸福街第一网格")
    shot(page, "11-area-tree")

    page.goto(f"{live_server.url}/places/{world.areas['community'].code}/")
    expect(page.locator("#grid-map .leaflet-interactive")).to_have_count(2)
    shot(page, "12-community-page-map")
