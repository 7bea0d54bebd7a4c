"""12345 hotline import: good rows become routed cases, bad rows are reported, repeats create nothing."""

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from muling.cases.hotline import hotline_import
from muling.cases.models import Case

HEADER = ["工单编号", "来电时间", "来电号码", "诉求内容", "事发地址", "诉求分类"]
ROWS = [
    ["HX20261128001", "2026-11-28 09:30", "13700000001", "1号楼暖气不热", "梁山街道幸福街社区1号楼", "供暖"],
    ["HX20261128002", "2026-11-28 10:00", "13700000002", "楼道堆放杂物", "幸福街第二网格", "环境卫生问题"],
    ["HX20261128003", "2026-11-28 10:10", "13700000003", "", "幸福街社区1号楼", "其他"],  # no content
    ["HX20261128004", "2026-11-28 10:20", "13700000004", "路灯不亮", "火星基地", "供电"],  # unknown place
    ["HX20261128005", "昨天上午", "13700000005", "噪音扰民", "幸福街第一网格", "邻里纠纷"],  # bad time
    [
        "HX20261128001",
        "2026-11-28 09:30",
        "13700000001",
        "1号楼暖气不热",
        "梁山街道幸福街社区1号楼",
        "供暖",
    ],  # repeat
]


def xlsx(rows) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["12345热线工单导出"])  # a title row above the header, as real exports have
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def csv_bytes(rows, encoding="utf-8-sig") -> io.BytesIO:
    lines = [",".join(HEADER)] + [",".join(r) for r in rows]
    return io.BytesIO("\n".join(lines).encode(encoding))


@pytest.mark.parametrize("make", [xlsx, csv_bytes, lambda rows: csv_bytes(rows, "gb18030")])
def test_good_bad_and_repeated_rows(world, categories, make):
    name = "export.xlsx" if make is xlsx else "export.csv"
    report = hotline_import(file_obj=make(ROWS), file_name=name)
    assert len(report.created) == 2
    assert report.repeated == ["HX20261128001"]
    lines = [line for line, _reason in report.rejected]
    offset = 3 if make is xlsx else 2  # header on line 2 under the title row, or line 1
    assert lines == [offset + 2, offset + 3, offset + 4]
    heating = Case.objects.get(external_id="HX20261128001")
    assert heating.channel == "hotline" and heating.category.code == "heating"
    assert heating.area == world.area("building")
    assert heating.contact_phone == "13700000001" and heating.reporter is None
    assert heating.created_at.hour == 1  # 09:30 in Shanghai is 01:30 UTC
    assert Case.objects.get(external_id="HX20261128002").grid == world.area("other_grid")
    again = hotline_import(file_obj=make(ROWS), file_name=name)
    assert again.created == [] and len(again.repeated) == 3
    assert Case.objects.filter(channel="hotline").count() == 2


def test_missing_columns_and_unreadable_files_are_reported(world, categories):
    report = hotline_import(file_obj=io.BytesIO("工单编号,来电时间\nA,B".encode()), file_name="x.csv")
    assert not report.ok and "诉求内容" in report.rejected[0][1]
    report = hotline_import(file_obj=io.BytesIO(b"not a zip"), file_name="x.xlsx")
    assert not report.ok and report.rejected[0][0] is None
    assert not Case.objects.exists()


def test_management_command_reports_and_fails_on_bad_rows(world, categories, tmp_path, capsys):
    path = tmp_path / "export.xlsx"
    path.write_bytes(xlsx(ROWS[:2]).getvalue())
    call_command("import_hotline", str(path), verbosity=0)
    assert Case.objects.filter(channel="hotline").count() == 2
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx(ROWS[2:4]).getvalue())
    with pytest.raises(CommandError):
        call_command("import_hotline", str(bad), verbosity=0)


@pytest.mark.parametrize(
    ("user", "status"), [("street_secretary", 200), ("admin", 200), ("grid_worker", 403), ("resident", 403)]
)
def test_import_page_is_for_secretaries(world, categories, client_as, user, status):
    client = client_as(world.users[user])
    assert client.get("/cases/hotline/").status_code == status
    upload = xlsx(ROWS[:2])
    upload.name = "export.xlsx"
    response = client.post("/cases/hotline/", {"file": upload})
    assert response.status_code == status
    assert Case.objects.filter(channel="hotline").count() == (2 if status == 200 else 0)
    if status == 200:
        assert "新建 2 件" in response.content.decode()


def test_import_through_the_api(world, categories, client_as):
    client = client_as(world.users["street_secretary"])
    upload = xlsx(ROWS)
    upload.name = "export.xlsx"
    response = client.post("/api/v1/hotline/import", {"file": upload})
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["created"]) == 2 and body["repeated"] == ["HX20261128001"]
    assert [r["line"] for r in body["rejected"]] == [5, 6, 7]  # title row, header, then data
    refused = client_as(world.users["grid_worker"]).post("/api/v1/hotline/import", {"file": xlsx(ROWS)})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
