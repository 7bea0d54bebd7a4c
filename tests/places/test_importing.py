"""Spreadsheet import: every row good or nothing written, each bad row named by its Excel line."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from muling.people import services as people
from muling.people.models import Person, Post
from muling.people.resources import PersonResource
from muling.places import services as places
from muling.places.importing import import_table
from muling.places.models import Area, Household
from muling.places.resources import AreaResource

AREA_HEADER = ("code", "name", "level", "parent_code", "address", "households_planned")
HOUSEHOLD_HEADER = ("building_code", "unit", "room", "is_party_member_household")
PERSON_HEADER = (
    "name",
    "gender",
    "birth_date",
    "phone",
    "id_number",
    "building_code",
    "unit",
    "room",
    "is_elderly",
)
POST_HEADER = (
    "person_name",
    "person_phone",
    "role",
    "area_code",
    "department_code",
    "start_date",
    "end_date",
)

# Valid GB 11643 numbers (checked by the test below, not trusted).
GOOD_ID = people.id_number_with_check("37083219500101001")
OTHER_GOOD_ID = people.id_number_with_check("37083219800505002")
BAD_CHECK_ID = GOOD_ID[:17] + ("0" if GOOD_ID[17] != "0" else "1")


def xlsx_file(rows) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def csv_file(rows, encoding="utf-8-sig") -> io.BytesIO:
    text = io.StringIO()
    csv.writer(text).writerows(["" if v is None else v for v in row] for row in rows)
    return io.BytesIO(text.getvalue().encode(encoding))


MAKERS = {"xlsx": xlsx_file, "csv": csv_file}


@pytest.fixture(params=["xlsx", "csv"])
def fmt(request) -> str:
    return request.param


def run(resource_name: str, rows, fmt: str, **kwargs):
    return import_table(
        resource_name=resource_name, file_obj=MAKERS[fmt](rows), file_name=f"名单.{fmt}", **kwargs
    )


def problems_by_line(report) -> dict[int, str]:
    found: dict[int, str] = {}
    for p in report.problems:
        found[p.line] = found.get(p.line, "") + str(p)
    return found


def test_the_test_id_numbers_are_what_they_claim():
    assert people.id_number_problem(GOOD_ID) is None
    assert people.id_number_problem(OTHER_GOOD_ID) is None
    assert people.id_number_problem(BAD_CHECK_ID) == "身份证号校验位不正确"


# ---- areas ------------------------------------------------------------------------------------------


def test_good_area_rows_are_imported_through_the_service(world, fmt):
    report = run(
        "areas",
        [
            AREA_HEADER,
            ("370832001001003", "幸福街第三网格", "网格", "370832001001", "", 400),
            # A child of the row above; the level is left to the service (one below the parent).
            ("370832001001003001", "12号楼", "", "370832001001003", "幸福街12号", ""),
        ],
        fmt,
    )
    assert report.ok, report.problems
    assert (report.created, report.updated) == (2, 0)
    grid = Area.objects.get(code="370832001001003")
    building = Area.objects.get(code="370832001001003001")
    assert Area.objects.get_parent(grid).code == "370832001001"
    assert grid.households_planned == 400
    assert (
        Area.objects.get_parent(building) == grid and building.level == 6 and building.address == "幸福街12号"
    )


def test_one_bad_area_row_imports_nothing_and_every_bad_row_is_reported(world, fmt):
    before = Area.objects.count()
    report = run(
        "areas",
        [
            AREA_HEADER,
            ("370832001001003", "幸福街第三网格", "网格", "370832001001", "", ""),  # line 2: fine
            ("37083200100100X", "坏编码网格", "网格", "370832001001", "", ""),  # line 3: malformed code
            ("370832001001005", "跳级网格", "网格", "370832001", "", ""),  # line 4: grid under a street
            ("370832009001001", "孤儿网格", "网格", "370832009001", "", ""),  # line 5: unknown parent
            ("370832001001006", "", "网格", "370832001001", "", ""),  # line 6: no name
            ("370832001001007", "户数不对", "网格", "370832001001", "", "很多"),  # line 7: not a number
        ],
        fmt,
    )
    assert not report.ok
    assert Area.objects.count() == before
    assert not Area.objects.filter(code="370832001001003").exists()
    assert report.bad_lines == [3, 4, 5, 6, 7]
    lines = problems_by_line(report)
    assert "网格的编码应为 15 位数字" in lines[3]
    assert "网格不能直接设在街道之下" in lines[4]
    assert "找不到编码为 370832009001 的区域" in lines[5]
    assert "名称" in lines[6] and "必填" in lines[6]
    assert "应为不小于 0 的整数" in lines[7]
    assert "未导入任何数据" in report.summary()


def test_an_existing_code_updates_the_area_but_never_moves_it(world, fmt):
    report = run(
        "areas",
        [AREA_HEADER, ("370832001001001", "幸福街一网格（改名）", "网格", "370832001001", "", 320)],
        fmt,
    )
    assert report.ok, report.problems
    assert (report.created, report.updated) == (0, 1)
    grid = world.area("grid")
    assert (grid.name, grid.households_planned) == ("幸福街一网格（改名）", 320)

    moved = run(
        "areas", [AREA_HEADER, ("370832001001001", "幸福街第一网格", "网格", "370832001002", "", "")], fmt
    )
    assert moved.bad_lines == [2]
    assert "不能移动已有区域" in str(moved.problems[0])
    assert world.area("grid").name == "幸福街一网格（改名）"


def test_chinese_headers_and_a_title_row_are_understood_and_lines_still_count_from_the_sheet(world, fmt):
    report = run(
        "areas",
        [
            ("幸福街社区网格表", None, None, None),  # line 1: a title, as offices like to add
            ("编码", "名称", "层级", "上级编码"),  # line 2: the header
            ("370832001001003", "幸福街第三网格", "网格", "370832001001"),  # line 3
            (None, None, None, None),  # line 4: blank, skipped
            ("370832001001", "重复的社区", "社区", "370832001"),  # line 5: an update, fine
            ("370832001001000", "零号网格", "网格", "370832001001"),  # line 6: 000 is no sequence number
        ],
        fmt,
    )
    assert report.bad_lines == [6]
    assert "后接 3 位非 000 的序号" in str(report.problems[0])
    assert not Area.objects.filter(code="370832001001003").exists()


def test_a_missing_required_column_is_reported_at_the_header(world, fmt):
    report = run("areas", [("code", "level"), ("370832001001003", "网格")], fmt)
    assert [p.line for p in report.problems] == [1]
    assert "缺少必填列" in str(report.problems[0]) and "name" in str(report.problems[0])


def test_an_unreadable_file_is_refused_with_a_reason(world):
    report = import_table(resource_name="areas", file_obj=io.BytesIO(b"not a zip"), file_name="x.xlsx")
    assert not report.ok and "无法读取 Excel 文件" in str(report.problems[0])
    report = import_table(resource_name="areas", file_obj=io.BytesIO(b"a,b"), file_name="x.txt")
    assert "只能导入 .xlsx 或 .csv 文件" in str(report.problems[0])
    report = import_table(resource_name="areas", file_obj=io.BytesIO(b"\xff\xff\xff"), file_name="x.csv")
    assert "UTF-8" in str(report.problems[0])


def test_csv_saved_by_chinese_excel_in_gbk_is_read(world):
    rows = [AREA_HEADER, ("370832001001003", "幸福街第三网格", "网格", "370832001001", "", "")]
    report = import_table(resource_name="areas", file_obj=csv_file(rows, encoding="gbk"), file_name="a.csv")
    assert report.ok, report.problems


def test_csv_without_a_byte_order_mark_is_read_too(world):
    rows = [AREA_HEADER, ("370832001001003", "幸福街第三网格", "网格", "370832001001", "", "")]
    report = import_table(resource_name="areas", file_obj=csv_file(rows, encoding="utf-8"), file_name="a.csv")
    assert report.ok, report.problems


def test_a_user_imports_only_inside_their_scope(world, fmt):
    secretary = world.users["community_secretary"]
    report = run(
        "areas",
        [
            AREA_HEADER,
            ("370832001001003", "幸福街第三网格", "网格", "370832001001", "", ""),  # own community
            ("370832001002002", "杏花村第二网格", "网格", "370832001002", "", ""),  # another community
        ],
        fmt,
        user=secretary,
    )
    assert report.bad_lines == [3]
    assert "只能在您负责的区域之下新建区域" in str(report.problems[0])


# ---- round trip -------------------------------------------------------------------------------------


def _tree_rows() -> set[tuple]:
    dataset = AreaResource().export()
    return {tuple(row) for row in dataset}


@pytest.mark.parametrize("export_format", ["xlsx", "csv"])
def test_exported_areas_import_again_into_an_empty_tree(db, export_format):
    city = places.area_create(parent=None, code="370800", name="济宁市")
    county = places.area_create(parent=city, code="370832", name="梁山县", address="梁山县政府")
    street = places.area_create(parent=county, code="370832001", name="梁山街道")
    community = places.area_create(
        parent=street, code="370832001001", name="幸福街社区", households_planned=900
    )
    places.area_create(parent=community, code="370832001001001", name="幸福街第一网格")
    places.area_create(
        parent=Area.objects.get(pk=community.pk), code="370832001001002", name="幸福街第二网格"
    )
    before = _tree_rows()
    exported = AreaResource().export().export(export_format)
    data = exported.encode("utf-8-sig") if isinstance(exported, str) else exported

    Area.objects.all().delete()
    report = import_table(
        resource_name="areas", file_obj=io.BytesIO(data), file_name=f"areas.{export_format}"
    )
    assert report.ok, report.problems
    assert report.created == 6
    assert _tree_rows() == before
    assert Area.objects.get_parent(Area.objects.get(code="370832001001002")).code == "370832001001"

    # The same file again changes nothing: every row is an update to what is already there.
    again = import_table(resource_name="areas", file_obj=io.BytesIO(data), file_name=f"areas.{export_format}")
    assert again.ok and (again.created, again.updated) == (0, 6)
    assert _tree_rows() == before


# ---- households -------------------------------------------------------------------------------------


def test_households_go_into_buildings_only(world, fmt):
    before = Household.objects.count()
    report = run(
        "households",
        [
            HOUSEHOLD_HEADER,
            ("370832001001001001", "2", "201", "是"),  # line 2: fine
            ("370832001001001", "1", "101", "否"),  # line 3: a grid, not a building
            ("370832001001001009", "1", "101", ""),  # line 4: no such building
            ("370832001001001001", "1", "", ""),  # line 5: no room
            ("370832001001001001", "3", "301", "也许"),  # line 6: not yes or no
        ],
        fmt,
    )
    assert Household.objects.count() == before
    lines = problems_by_line(report)
    assert sorted(lines) == [3, 4, 5, 6]
    assert "住户只能属于楼栋，不能属于网格" in lines[3]
    assert "找不到编码为 370832001001001009 的区域" in lines[4]
    assert "房号" in lines[5]
    assert "应填“是”或“否”" in lines[6]


def test_good_households_are_imported_and_known_ones_updated(world, fmt):
    report = run(
        "households",
        [
            HOUSEHOLD_HEADER,
            ("370832001001001001", "2", "201", "是"),
            ("370832001001001001", "1", "101", "是"),
        ],
        fmt,
    )
    assert report.ok, report.problems
    assert (report.created, report.updated) == (1, 1)
    assert Household.objects.get(
        building__code="370832001001001001", unit="2", room="201"
    ).is_party_member_household
    assert Household.objects.get(pk=world.households["home"].pk).is_party_member_household


# ---- persons ----------------------------------------------------------------------------------------


def test_good_person_rows_are_imported_with_household_tags_and_a_protected_id(world, fmt):
    report = run(
        "persons",
        [
            PERSON_HEADER,
            # Excel keeps phone numbers as numbers and dates as dates; both must come through.
            ("张三", "男", date(1950, 1, 1), 13800000101, GOOD_ID, "370832001001001001", "1", "101", "是"),
            ("李四", "女", "1980/5/5", "13800000102", "", "370832001001002001", "1", "201", ""),
        ],
        fmt,
    )
    assert report.ok, report.problems
    zhang = Person.objects.get(name="张三")
    assert zhang.household == world.households["home"]
    assert (zhang.gender, zhang.birth_date, zhang.phone, zhang.is_elderly) == (
        "M",
        date(1950, 1, 1),
        "13800000101",
        True,
    )
    assert zhang.id_number_full() == GOOD_ID and GOOD_ID not in zhang.id_number_encrypted
    assert Person.objects.get(name="李四").birth_date == date(1980, 5, 5)


def test_a_bad_id_number_or_unknown_household_imports_no_one(world, fmt):
    before = Person.objects.count()
    report = run(
        "persons",
        [
            PERSON_HEADER,
            (
                "张三",
                "男",
                "1950-01-01",
                "13800000101",
                GOOD_ID,
                "370832001001001001",
                "1",
                "101",
                "",
            ),  # 2 ok
            ("李四", "女", "", "13800000102", BAD_CHECK_ID, "370832001001001001", "1", "101", ""),  # 3
            ("王五", "男", "", "13800000103", "12345", "370832001001001001", "1", "101", ""),  # 4
            ("赵六", "男", "", "13800000104", "", "370832001001001001", "9", "909", ""),  # 5 no household
            ("钱七", "不详", "", "13800000105", "", "370832001001001001", "1", "101", ""),  # 6 gender
            ("孙八", "男", "明年", "13800000106", "", "370832001001001001", "1", "101", ""),  # 7 date
            ("周九", "男", "", "12345", "", "370832001001001001", "1", "101", ""),  # 8 phone
            (
                "吴十",
                "男",
                "",
                "13800000107",
                GOOD_ID,
                "370832001001001001",
                "1",
                "101",
                "",
            ),  # 9 same ID as 2
        ],
        fmt,
    )
    assert Person.objects.count() == before
    lines = problems_by_line(report)
    assert sorted(lines) == [3, 4, 5, 6, 7, 8, 9]
    assert "身份证号校验位不正确" in lines[3]
    assert "身份证号应为 18 位" in lines[4]
    assert "找不到住户" in lines[5]
    assert "性别应填“男”或“女”" in lines[6]
    assert "日期格式应为" in lines[7]
    assert "手机号格式不正确" in lines[8]
    assert "该身份证号已登记" in lines[9]
    assert not any(GOOD_ID in str(p) for p in report.problems)


@pytest.mark.parametrize("export_format", ["xlsx", "csv"])
def test_exported_persons_never_contain_the_full_id_number(world, export_format):
    person = people.person_create(
        name="张三", phone="13800000101", id_number=GOOD_ID, household=world.households["home"]
    )
    exported = PersonResource().export().export(export_format)
    if export_format == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(exported)).active
        text = "\n".join(
            ",".join("" if v is None else str(v) for v in row) for row in sheet.iter_rows(values_only=True)
        )
    else:
        text = exported
    assert GOOD_ID not in text
    assert GOOD_ID[:17] not in text
    assert person.id_number_masked in text


def test_a_masked_id_number_is_not_imported_as_if_it_were_one(world, fmt):
    masked = GOOD_ID[:3] + "*" * 11 + GOOD_ID[-4:]
    report = run(
        "persons", [PERSON_HEADER, ("张三", "男", "", "", masked, "370832001001001001", "1", "101", "")], fmt
    )
    assert report.bad_lines == [2] and "已脱敏" in str(report.problems[0])


# ---- posts ------------------------------------------------------------------------------------------


def test_posts_accept_the_chinese_label_or_the_code_of_the_role(world, fmt):
    people.person_create(name="新网格员", phone="13900000099")
    people.person_create(name="新水务员", phone="13900000098")
    report = run(
        "posts",
        [
            POST_HEADER,
            ("新网格员", "13900000099", "专职网格员", "370832001001002", "", "2025-01-01", ""),
            ("", "13900000099", "building_head", "370832001001001001", "", "", ""),
            ("", "13900000098", "department_staff", "370832", "LS-WATER", "2024-03-01", "2024-12-31"),
        ],
        fmt,
    )
    assert report.ok, report.problems
    assert report.created == 3
    assert Post.objects.get(person__phone="13900000099", role="grid_worker").area == world.area("other_grid")
    water = Post.objects.get(person__phone="13900000098")
    assert (water.department.code, water.start_date, water.end_date) == (
        "LS-WATER",
        date(2024, 3, 1),
        date(2024, 12, 31),
    )


def test_bad_posts_import_nothing_and_each_line_says_why(world, fmt):
    people.person_create(name="新网格员", phone="13900000099")
    before = Post.objects.count()
    report = run(
        "posts",
        [
            POST_HEADER,
            ("新网格员", "13900000099", "专职网格员", "370832001001002", "", "", ""),  # 2 ok
            ("", "13900000099", "专职网格员", "370832001001099", "", "", ""),  # 3 no such area
            ("", "13900000003", "专职网格员", "370832001001001", "", "", ""),  # 4 overlaps 郑网格's post
            ("", "13900000099", "专职网格员", "370832001001", "", "", ""),  # 5 a community, not a grid
            ("", "13900000099", "部门工作人员", "370832", "", "", ""),  # 6 no department
            ("", "13900000099", "扫地僧", "370832001001002", "", "", ""),  # 7 no such role
            ("", "13700000000", "专职网格员", "370832001001002", "", "", ""),  # 8 no such person
            (
                "",
                "13900000099",
                "专职网格员",
                "370832001001001",
                "",
                "2025-02-01",
                "2025-01-01",
            ),  # 9 reversed
        ],
        fmt,
    )
    assert Post.objects.count() == before
    lines = problems_by_line(report)
    assert sorted(lines) == [3, 4, 5, 6, 7, 8, 9]
    assert "找不到编码为 370832001001099 的区域" in lines[3]
    assert "任期重叠" in lines[4]
    assert "专职网格员只能设在：网格" in lines[5]
    assert "须注明所属部门或单位" in lines[6]
    assert "未知岗位：扫地僧" in lines[7]
    assert "找不到手机号为 13700000000 的人员" in lines[8]
    assert "任职结束不能早于开始" in lines[9]


def test_a_duplicate_post_within_the_same_file_is_refused_too(world, fmt):
    people.person_create(name="新网格员", phone="13900000099")
    row = ("", "13900000099", "专职网格员", "370832001001002", "", "2025-01-01", "")
    report = run("posts", [POST_HEADER, row, row], fmt)
    assert report.bad_lines == [3] and "任期重叠" in str(report.problems[0])
    assert not Post.objects.filter(person__phone="13900000099").exists()


# ---- the command ------------------------------------------------------------------------------------


def test_the_command_imports_a_good_file(world, tmp_path, capsys):
    path = tmp_path / "areas.xlsx"
    path.write_bytes(
        xlsx_file([AREA_HEADER, ("370832001001003", "幸福街第三网格", "网格", "370832001001")]).read()
    )
    call_command("import_excel", "areas", str(path))
    assert "已导入 1 行" in capsys.readouterr().out
    assert Area.objects.filter(code="370832001001003").exists()


def test_the_command_fails_on_a_bad_row_and_prints_its_line(world, tmp_path, capsys):
    path = tmp_path / "areas.csv"
    path.write_bytes(
        csv_file(
            [
                AREA_HEADER,
                ("370832001001003", "幸福街第三网格", "网格", "370832001001"),
                ("3708320010010", "坏编码", "网格", "370832001001"),
            ]
        ).read()
    )
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_excel", "areas", str(path))
    assert "第 3 行" in capsys.readouterr().err
    assert not Area.objects.filter(code="370832001001003").exists()
