"""Dashboards, drill-down, exports, report card, public page and API: scoped by posts, bad input
refused with a message, and the Excel export says exactly what the page says."""

import io
import re

import pytest
from openpyxl import load_workbook

NOV = "from=2026-11-01&to=2026-11-30"
STREET, COMMUNITY, GRID, FAR_GRID = "370832001", "370832001001", "370832001001001", "370832001002001"


def test_street_secretary_sees_the_street(world, month, client_as):
    page = client_as(world.users["street_secretary"]).get(f"/stats/?{NOV}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "梁山街道统计" in html
    assert 'data-indicator="received"' in html
    assert "幸福街社区" in html  # ranking of the communities below
    assert '"map"' in html  # the grids have polygons: the map is drawn
    assert "vendor/echarts/echarts.min.js" in html


def test_drill_down_lists_the_cases_behind_a_number(world, month, client_as):
    client = client_as(world.users["street_secretary"])
    url = f"/stats/cases/?area={STREET}&indicator=resolution_rate&{NOV}"
    numerator = client.get(url)
    assert numerator.status_code == 200 and 'data-count="5"' in numerator.content.decode()
    denominator = client.get(url + "&part=denominator")
    assert 'data-count="7"' in denominator.content.decode()
    grid = client.get(f"/stats/cases/?area={GRID}&indicator=received&{NOV}")
    assert 'data-count="9"' in grid.content.decode()  # every case of the month is in 1号楼
    far = client.get(f"/stats/cases/?area={FAR_GRID}&indicator=received&{NOV}")
    assert 'data-count="0"' in far.content.decode()


@pytest.mark.parametrize(
    ("user", "query", "status", "message"),
    [
        ("grid_worker", f"area={FAR_GRID}", 403, "不在您的管辖范围内"),
        ("community_secretary", f"area={STREET}", 403, "不在您的管辖范围内"),
        ("street_secretary", "from=2026-11-30&to=2026-11-01", 400, "开始日期不能晚于结束日期"),
        ("street_secretary", "from=2025-01-01&to=2026-11-30", 400, "不能超过 366 天"),
        ("street_secretary", "from=2026-13-01", 400, "日期格式应为"),
        ("street_secretary", "from=2099-01-01&to=2099-01-02", 400, "还没有数据"),
        ("street_secretary", f"{NOV}&indicator=happiness", 400, "未知的指标"),
        ("street_secretary", f"{NOV}&area=999999", 404, "区域不存在"),
        ("street_secretary", f"{NOV}&channel=pigeon", 400, "未知的来源渠道"),
        ("resident", NOV, 403, "不能查看统计"),
    ],
)
@pytest.mark.parametrize("path", ["/stats/", "/stats/cases/", "/stats/table/children/"])
def test_bad_input_and_scope_are_refused_with_a_message(
    world, categories, client_as, user, query, status, message, path
):
    response = client_as(world.users[user]).get(f"{path}?{query}")
    assert response.status_code == status
    assert message in response.content.decode()


def test_stats_need_a_login(client, world):
    assert client.get("/stats/").status_code == 302


def test_a_grid_worker_sees_their_own_numbers(world, month, client_as):
    html = client_as(world.users["grid_worker"]).get(f"/stats/?{NOV}").content.decode()
    assert "郑网格经办的诉求" in html
    assert re.search(r'data-indicator="received">8<', html)


def test_a_department_sees_its_own_numbers(world, month, client_as):
    html = client_as(world.users["department_staff"]).get(f"/stats/?{NOV}").content.decode()
    assert "梁山县供水公司承办的诉求" in html


def test_a_leader_may_look_at_a_grid_worker_below_but_not_elsewhere(world, month, client_as):
    person = world.users["grid_worker"].person.pk
    assert (
        client_as(world.users["community_secretary"]).get(f"/stats/?person={person}&{NOV}").status_code == 200
    )
    assert (
        client_as(world.users["other_grid_worker"]).get(f"/stats/?person={person}&{NOV}").status_code == 403
    )


def _page_rows(html: str, key: str) -> list[list]:
    table = re.search(rf'data-table="{key}".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        label = re.sub(r"<[^>]+>", "", re.search(r"<th[^>]*>(.*?)</th>", tr, re.S).group(1)).strip()
        values = [float(v) if v else None for v in re.findall(r'data-value="([^"]*)"', tr)]
        rows.append([label, *values])
    return rows


@pytest.mark.parametrize("key", ["children", "categories", "grids", "trend"])
def test_excel_export_says_what_the_page_says(world, month, client_as, key):
    client = client_as(world.users["street_secretary"])
    html = client.get(f"/stats/table/{key}/?area={STREET}&{NOV}").content.decode()
    page = _page_rows(html, key)
    assert page and any(v for row in page for v in row[1:])
    response = client.get(f"/stats/table/{key}/?area={STREET}&{NOV}&format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    excel = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [[r[0], *(None if v is None else float(v) for v in r[1:])] for r in excel] == page


def test_csv_export(world, month, client_as):
    response = client_as(world.users["street_secretary"]).get(
        f"/stats/table/categories/?area={STREET}&{NOV}&format=csv"
    )
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("事项分类,受理量（件）")
    assert "环境卫生,8," in text


def test_unknown_export_format_is_refused(world, month, client_as):
    response = client_as(world.users["street_secretary"]).get(f"/stats/table/children/?{NOV}&format=pdf")
    assert response.status_code == 400 and "导出格式" in response.content.decode()


def test_street_report_card(world, month, client_as):
    client = client_as(world.users["street_secretary"])
    html = client.get(f"/stats/report/{STREET}/?period=2026-11").content.decode()
    assert "梁山街道 2026年11月诉求办理报告" in html
    assert "水泊街道" in html  # ranked among its sibling streets
    assert "幸福街第一网格" in html and "环境卫生" in html
    assert client.get(f"/stats/report/{STREET}/?period=2026H2").status_code == 200
    assert client.get(f"/stats/report/{STREET}/?period=2026-13").status_code == 400
    assert client.get(f"/stats/report/{COMMUNITY}/?period=2026-11").status_code == 400
    refused = client_as(world.users["community_secretary"]).get(f"/stats/report/{STREET}/?period=2026-11")
    assert refused.status_code == 403


def test_public_community_page_has_numbers_and_no_personal_data(world, month, client):
    html = client.get(f"/stats/public/{COMMUNITY}/?period=2026-11").content.decode()
    assert "幸福街社区诉求办理情况" in html and "环境卫生" in html
    for private in ("王秀兰", "郑网格", "楼道灯坏了", "1号楼", "13800000001"):
        assert private not in html
    assert client.get(f"/stats/public/{STREET}/").status_code == 404


def test_formula_page_lists_every_indicator(client, db):
    from muling.stats.indicators import registry

    html = client.get("/stats/formulas/").content.decode()
    for indicator in registry().values():
        assert str(indicator.name) in html and str(indicator.formula) in html


def test_api_summary_and_indicators(world, month, client_as):
    client = client_as(world.users["street_secretary"])
    codes = [i["code"] for i in client.get("/api/v1/stats/indicators").json()]
    assert "response_rate" in codes and "composite_score" in codes
    body = client.get(f"/api/v1/stats/summary?area={STREET}&{NOV}").json()
    values = {v["code"]: v["value"] for v in body["values"]}
    assert values["received"] == 9 and values["satisfaction_rate"] == 75.0
    bad = client.get("/api/v1/stats/summary?from=2026-11-30&to=2026-11-01")
    assert bad.status_code == 400 and bad.json()["code"] == "reversed_range"
    out = client.get(f"/api/v1/stats/summary?area={FAR_GRID}&{NOV}")
    assert out.status_code == 200  # the street secretary covers the far grid too
    refused = client_as(world.users["grid_worker"]).get(f"/api/v1/stats/summary?area={FAR_GRID}&{NOV}")
    assert refused.status_code == 403 and refused.json()["code"] == "area_out_of_scope"
