"""The closed loop in a real browser: a resident scans the building's QR code and reports with a photo,
the grid worker accepts and resolves with a photo, the resident rates and the case is closed. Also:
the "me too" suggestion while typing, the map picker, the secretary's board and the public page.

Screenshots go to test-artifacts/case-*.png (gitignored): look at them.
"""

import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from muling.cases import services
from muling.cases.defaults import install_default_categories
from muling.cases.models import Case, Category
from tests.factories import World

PASSWORD = "pw-Muling-123"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def no_script_errors(page: Page):
    """A script error (Leaflet, htmx, ours) fails the test even when the page looks fine."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield
    assert errors == []


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_function("() => Array.from(document.images).every(img => img.complete)")
    page.screenshot(path=str(ARTIFACTS / f"case-{name}.png"), full_page=True)


def log_in(page: Page, username: str) -> None:
    """Fill the login form the page is on (reached directly or by a redirect with ?next=)."""
    page.get_by_label("用户名或手机号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("link", name="登录").first).to_be_visible()


def make_photo(path: Path, color=(200, 60, 40)) -> Path:
    img = Image.new("RGB", (640, 480), (235, 235, 230))
    draw = ImageDraw.Draw(img)
    draw.rectangle([200, 120, 440, 360], fill=color)
    draw.ellipse([280, 40, 360, 120], fill=(250, 210, 60))
    img.save(path, "PNG")
    return path


def assert_styled(page: Page) -> None:
    color = page.locator("header.topbar").evaluate("el => getComputedStyle(el).backgroundColor")
    assert color == "rgb(179, 38, 30)", color


def test_resident_reports_through_the_qr_code_worker_resolves_resident_rates(
    live_server, page: Page, tmp_path
):
    world = World.build()
    install_default_categories(Category)  # transactional tests flush the data migration's rows
    building = world.areas["building"]
    base = live_server.url
    page.set_viewport_size(PHONE)

    # The resident scans the service card in the stairwell.
    page.goto(f"{base}/b/{building.code}/")
    assert_styled(page)
    expect(page.locator("a.report-button")).to_be_visible()
    shot(page, "01-building-entry")
    page.locator("a.report-button").click()
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    log_in(page, "13800000001")
    expect(page).to_have_url(re.compile(rf"/cases/new/\?building={building.code}$"))
    expect(page.locator(".card-banner")).to_contain_text("1号楼")
    expect(page.locator("input[name=place][value=building]")).to_be_checked()

    page.get_by_label("问题类型").select_option(label="环境卫生")
    page.get_by_label("问题描述").fill("3单元楼道灯坏了三天，晚上上下楼看不见")
    page.locator("input[name=photos]").set_input_files(make_photo(tmp_path / "lamp.png"))
    shot(page, "02-report-form-qr")
    page.get_by_role("button", name="提交").click()

    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    number = page.url.rstrip("/").rsplit("/", 1)[1]
    expect(page.locator(".messages")).to_contain_text(number)
    expect(page.locator("#facts")).to_contain_text("已派遣")
    expect(page.locator("#facts")).to_contain_text("服务卡扫码")
    expect(page.locator("#problem .photos img")).to_have_count(1)
    # It decodes (an arrow function: a bare expression is eval'd in the page, which the CSP refuses).
    page.wait_for_function("() => document.querySelector('#problem .photos img').naturalWidth > 0")
    case = Case.objects.get(number=number)
    assert case.channel == "service_card" and case.area_id == building.pk
    shot(page, "03-case-resident")
    log_out(page)

    # The grid worker finds it at the top of the queue, accepts and resolves it with a photo.
    page.goto(f"{base}/login/")
    log_in(page, "grid_worker")
    page.get_by_role("navigation").get_by_role("link", name="待办").click()
    row = page.locator(f"#case-{number}")
    expect(row).to_contain_text("楼道灯坏了")
    shot(page, "04-queue-worker")
    row.get_by_role("button", name="受理").click()
    expect(page).to_have_url(f"{base}/cases/queue/")
    expect(page.locator(f"#case-{number}")).to_contain_text("处理中")
    page.locator(f"#case-{number} a.case-link").click()
    expect(page.locator("#reporter")).to_contain_text("王秀兰")  # the handler may call the resident
    resolve = page.locator("#action-resolve")
    expect(resolve).to_have_attribute("open", "")
    resolve.get_by_label("办理结果").fill("已更换声控灯，晚上试过可以正常亮")
    resolve.locator("input[name=photos]").set_input_files(make_photo(tmp_path / "fixed.png", (60, 160, 80)))
    shot(page, "05-resolve-form")
    resolve.get_by_role("button", name="办结", exact=True).click()
    expect(page.locator("#facts")).to_contain_text("已办结")
    expect(page.locator("#result .photos img")).to_have_count(1)
    shot(page, "06-resolved-worker")
    log_out(page)

    # The resident is told (inbox badge), opens the message and rates: the case is closed.
    page.goto(f"{base}/login/")
    log_in(page, "13800000001")
    expect(page.locator("#unread-badge")).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name=re.compile("消息")).click()
    expect(page.locator(".inbox")).to_contain_text("已办结，请确认并评价")
    shot(page, "07-inbox")
    page.locator(".inbox a", has_text="已办结").first.click()
    expect(page).to_have_url(f"{base}/cases/{number}/")
    rate = page.locator("#action-rate")
    expect(rate).to_have_attribute("open", "")
    expect(rate.locator("#field-rate-if_unsatisfied")).to_be_hidden()
    rate.get_by_label("不满意", exact=True).check()
    expect(rate.locator("#field-rate-if_unsatisfied")).to_be_visible()
    rate.get_by_label("满意", exact=True).check()
    rate.get_by_label("评价意见（可选）").fill("修得很快，谢谢网格员")
    shot(page, "08-rate-form")
    rate.get_by_role("button", name="评价", exact=True).click()
    expect(page.locator("#facts")).to_contain_text("已结案")
    expect(page.locator("#result")).to_contain_text("满意")
    expect(page.locator("#timeline")).to_contain_text("结案")
    shot(page, "09-closed-resident")
    assert Case.objects.get(number=number).status == "closed"

    page.get_by_role("navigation").get_by_role("link", name="我的诉求").click()
    expect(page.locator(f"#case-{number}")).to_contain_text("已结案")
    shot(page, "10-my-cases")

    # The public page shows it without the resident's name.
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/cases/public/{world.areas['community'].code}/")
    expect(page.locator("#public-list")).to_contain_text("楼道灯坏了")
    expect(page.locator("main")).not_to_contain_text("王秀兰")
    expect(page.locator("#public-map .leaflet-interactive")).not_to_have_count(0)
    shot(page, "11-public-page")


def test_typing_a_known_problem_offers_me_too_and_the_map_picks_a_point(live_server, page: Page):
    world = World.build()
    install_default_categories(Category)
    existing = services.case_submit(
        category=Category.objects.get(code="sanitation"),
        text="1号楼门口的垃圾桶满了没人清理",
        channel="web",
        reporter=world.users["resident"],
        household=world.households["home"],
    )
    base = live_server.url
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/login/?next=/cases/new/")
    log_in(page, "13800000003")  # 赵敏, next door
    expect(page.locator("input[name=place][value=home]")).to_be_checked()
    page.get_by_label("问题类型").select_option(label="环境卫生")
    page.get_by_label("问题描述").fill("门口垃圾桶满了")
    similar = page.locator("#similar")
    expect(similar).to_contain_text("附近已有类似的问题正在办理")
    expect(similar).to_contain_text("垃圾桶满了没人清理")
    expect(similar).not_to_contain_text("王秀兰")

    page.get_by_text("在地图上标注").click()
    report_map = page.locator("#report-map")
    expect(report_map.locator(".grid-label").first).to_be_visible()
    box = report_map.bounding_box()
    report_map.click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.5})
    expect(page.locator("input[name=lat]")).not_to_have_value("")
    expect(page.locator("#map-hint")).to_contain_text("已标注位置")
    shot(page, "12-report-similar-and-map")

    similar.get_by_role("button", name="我也遇到了（附议）").click()
    expect(similar).to_contain_text("已附议")
    shot(page, "13-me-too-done")
    existing.refresh_from_db()
    assert existing.me_too_count == 1
    assert Case.objects.count() == 1  # nobody reported it twice


def test_the_secretary_urges_an_overdue_case_from_the_board(live_server, page: Page):
    from datetime import timedelta

    from django.utils import timezone

    world = World.build()
    install_default_categories(Category)
    case = services.case_submit(
        category=Category.objects.get(code="drainage"),
        text="小区东门下水道堵塞，污水漫到路面",
        channel="web",
        reporter=world.users["resident"],
        household=world.households["home"],
    )
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - timedelta(hours=30))
    services.case_submit(
        category=Category.objects.get(code="heating"),
        text="暖气片不热",
        channel="web",
        reporter=world.users["neighbour"],
        household=world.households["neighbour"],
    )
    base = live_server.url
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/login/")
    log_in(page, "community_secretary")
    page.get_by_role("navigation").get_by_role("link", name="督办").click()
    overdue = page.locator("#board-overdue")
    expect(overdue).to_contain_text("下水道堵塞")
    expect(page.locator("#board-new")).to_contain_text("暖气片不热")
    shot(page, "14-board-secretary")
    overdue.get_by_role("button", name="催办").click()
    expect(page).to_have_url(f"{base}/cases/board/")
    expect(page.locator(".messages")).to_contain_text("已催办")
    page.locator(f"#board-overdue a[href='/cases/{case.number}/']").click()
    expect(page.locator("#timeline")).to_contain_text("催办")
    expect(page.locator("#action-take-over")).to_be_visible()
    shot(page, "15-case-secretary")
    page.set_viewport_size(PHONE)
    shot(page, "16-case-secretary-phone")


def test_refusals_are_shown_at_the_field_and_staff_forms_look_right(live_server, page: Page, tmp_path):
    world = World.build()
    install_default_categories(Category)
    base = live_server.url
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/login/?next=/cases/new/")
    log_in(page, "13800000001")
    page.wait_for_url("**/cases/new/")
    page.wait_for_load_state()  # htmx (a deferred script) listens for the change only once loaded
    page.get_by_label("问题类型").select_option(label="供暖")
    expect(page.get_by_label("室内温度（℃）")).to_be_visible()  # the category's extra question
    page.get_by_label("室内温度（℃）").fill("很冷")
    fake = tmp_path / "x.jpg"
    fake.write_text("not a photo")
    page.locator("input[name=photos]").set_input_files(fake)
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#field-id_q_indoor_temp .errorlist")).to_contain_text("应为数字")
    page.get_by_label("室内温度（℃）").fill("14")
    page.locator("input[name=photos]").set_input_files(fake)
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#field-id_text .errorlist")).to_contain_text("请填写内容")
    page.get_by_label("问题描述").fill("暖气不热")
    page.locator("input[name=photos]").set_input_files(fake)
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#field-id_photos .errorlist")).to_contain_text("上传的文件不是有效的图片")
    shot(page, "17-report-refused-at-field")
    assert not Case.objects.exists()
    log_out(page)

    page.goto(f"{base}/login/?next=/cases/patrol/")
    log_in(page, "grid_worker")
    expect(page.get_by_label("位置（网格或楼栋）")).to_contain_text("幸福街第一网格")
    shot(page, "18-patrol-form")

    services.case_submit(
        category=Category.objects.get(code="water_supply"),
        text="5号楼停水一整天了",
        channel="web",
        reporter=world.users["other_grid_resident"],
        household=world.households["other_grid"],
    )
    log_out(page)
    page.goto(f"{base}/login/?next=/cases/department/")
    log_in(page, "department_staff")
    expect(page.locator("#department-queue")).to_contain_text("5号楼停水")
    shot(page, "19-department-queue")
