"""Import a whole spreadsheet of areas, households, persons or posts — all of it or none of it.

Community data lives in Excel. A half-imported roster is worse than none (which rows got in? which
must be fixed and sent again?), so every row is checked, the bad ones are reported with the line
number the user sees in Excel (the header is line 1) and the reason, and only a file without a single
bad row is kept. Rows go through the same services as the forms, inside one transaction; rows may
depend on earlier rows of the same file (a building under a grid created three lines up).
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, time

import tablib
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.utils.translation import gettext as _

from muling.people.resources import PersonResource, PostResource

from .resources import AreaResource, HouseholdResource, ServiceResource

RESOURCES: dict[str, type[ServiceResource]] = {
    "areas": AreaResource,
    "households": HouseholdResource,
    "persons": PersonResource,
    "posts": PostResource,
}

# A title row ("幸福街社区居民花名册") above the header is common; look this far down for the header.
HEADER_SEARCH_ROWS = 10


class TableUnreadable(Exception):
    """The uploaded file is not a spreadsheet we can read."""


@dataclass(frozen=True)
class RowProblem:
    line: int | None  # as Excel shows it; None for a problem with the whole file
    message: str
    column: str = ""

    def __str__(self) -> str:
        where = _("第 %(line)d 行") % {"line": self.line} if self.line else _("文件")
        return f"{where}：{self.column}{'：' if self.column else ''}{self.message}"


@dataclass
class ImportReport:
    resource_name: str
    file_name: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def bad_lines(self) -> list[int]:
        return sorted({p.line for p in self.problems if p.line})

    def summary(self) -> str:
        if self.ok:
            return _("%(file)s：已导入 %(rows)d 行（新增 %(created)d，更新 %(updated)d）") % {
                "file": self.file_name,
                "rows": self.created + self.updated,
                "created": self.created,
                "updated": self.updated,
            }
        return _("%(file)s：有 %(bad)d 行有误，未导入任何数据") % {
            "file": self.file_name,
            "bad": len(self.bad_lines) or 1,
        }


def import_table(*, resource_name: str, file_obj, file_name: str, user=None) -> ImportReport:
    """Import `file_obj` (.xlsx, or .csv in UTF-8 with or without BOM) with the named resource.

    `user`, when given, confines the import to that user's scope (the back office); the command
    line passes none and is not confined. Writes nothing unless every row is good.
    """
    if resource_name not in RESOURCES:
        raise ValueError(f"unknown resource {resource_name!r}; one of {sorted(RESOURCES)}")
    resource_class = RESOURCES[resource_name]
    report = ImportReport(resource_name=resource_name, file_name=file_name)
    try:
        raw_rows = read_rows(file_obj, file_name)
    except TableUnreadable as e:
        report.problems.append(RowProblem(None, str(e)))
        return report

    header_line, headers = _find_header(raw_rows, resource_class)
    if header_line is None:
        report.problems.append(
            RowProblem(
                1,
                _("找不到表头：第一行应为列名，如 %(columns)s")
                % {"columns": "、".join(resource_class.required_columns)},
            )
        )
        return report
    report.ignored_columns = [h for h in headers if h and h not in resource_class.columns]
    missing = [c for c in resource_class.required_columns if c not in headers]
    if missing:
        report.problems.append(
            RowProblem(
                header_line,
                _("缺少必填列：%(columns)s")
                % {"columns": "、".join(resource_class.column_label(c) for c in missing)},
            )
        )
        return report

    dataset = tablib.Dataset(headers=_unique(headers))
    width = len(headers)
    for values in raw_rows[header_line:]:
        dataset.append((list(values) + [None] * width)[:width])
    report.rows = sum(1 for row in dataset if any(v not in (None, "") for v in row))

    with transaction.atomic():
        result = resource_class().import_data(
            dataset,
            dry_run=False,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
            user=user,
        )
        _collect_problems(report, result, resource_class, header_line)
        if report.problems:
            transaction.set_rollback(True)
            return report
    report.created = result.totals["new"]
    report.updated = result.totals["update"]
    return report


def read_rows(file_obj, file_name: str) -> list[tuple]:
    """Every row of the first sheet (xlsx) or of the file (csv), as tuples of cell values."""
    data = file_obj.read()
    if (file_name or "").lower().endswith(".xlsx"):
        return _read_xlsx(data)
    if (file_name or "").lower().endswith(".csv"):
        return _read_csv(data)
    raise TableUnreadable(_("只能导入 .xlsx 或 .csv 文件"))


def _read_xlsx(data: bytes) -> list[tuple]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises zipfile, KeyError and its own errors for a damaged file
        raise TableUnreadable(_("无法读取 Excel 文件，请确认是 .xlsx 格式")) from None
    try:
        return [tuple(_cell(v) for v in row) for row in book.active.iter_rows(values_only=True)]
    finally:
        book.close()


def _cell(value):
    # A date typed into Excel comes back as midnight on that day.
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date()
    return value


def _read_csv(data) -> list[tuple]:
    if isinstance(data, str):
        text = data
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Excel on a Chinese Windows saves "CSV" in GBK; GB 18030 is its superset.
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise TableUnreadable(_("CSV 文件须为 UTF-8 或 GBK 编码")) from None
    return [tuple(row) for row in csv.reader(io.StringIO(text))]


def _find_header(raw_rows, resource_class) -> tuple[int | None, list[str]]:
    """(line of the header, column keys) — the first row naming at least one known column."""
    for index, values in enumerate(raw_rows[:HEADER_SEARCH_ROWS]):
        headers = [resource_class.column_for_header(v) or _text(v) for v in values]
        if any(h in resource_class.columns for h in headers):
            return index + 1, headers
    return None, []


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _unique(headers: list[str]) -> list[str]:
    """tablib needs distinct headers; a blank or repeated one gets a placeholder that no field reads."""
    seen, out = set(), []
    for i, h in enumerate(headers):
        name = h if h and h not in seen else f"_ignored_{i}"
        seen.add(name)
        out.append(name)
    return out


def _collect_problems(report: ImportReport, result, resource_class, header_line: int) -> None:
    for error in result.base_errors:
        report.problems.append(RowProblem(None, _("无法导入：%(error)s") % {"error": error.error}))
    bad = [(row.number, row.error_dict) for row in result.invalid_rows]
    bad += [
        (row.number, {NON_FIELD_ERRORS: [_("无法导入：%(error)s") % {"error": e.error} for e in row.errors]})
        for row in result.error_rows
    ]
    for number, errors in sorted(bad, key=lambda item: item[0]):
        for column, messages in errors.items():
            label = "" if column == NON_FIELD_ERRORS else resource_class.column_label(column)
            for message in messages:
                report.problems.append(RowProblem(header_line + number, str(message), label))
