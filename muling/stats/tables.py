"""Stats tables: built once, shown on the page and exported to Excel or CSV from the same object, so
the download always says what the page says."""

import csv
import io
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from . import selectors
from .indicators import TABLE_COLUMNS, Value, registry
from .services import StatsQuery

TABLE_KEYS = ("children", "categories", "channels", "trend", "grids")


@dataclass
class Cell:
    value: float | int | None
    display: str
    url: str = ""


@dataclass
class Row:
    label: str
    url: str = ""
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Table:
    key: str
    title: str
    label_header: str
    columns: list[str]  # indicator codes
    rows: list[Row]

    @property
    def headers(self) -> list[str]:
        reg = registry()
        return [self.label_header, *(f"{reg[c].name}（{reg[c].unit}）" for c in self.columns)]

    def matrix(self) -> list[list]:
        """Headers and values as they go into a spreadsheet (a blank for "no value")."""
        return [self.headers] + [[r.label, *(c.value for c in r.cells)] for r in self.rows]


def drill_url(q: StatsQuery, indicator: str, **override) -> str:
    return reverse("stats:cases") + "?" + urlencode(q.params(indicator=indicator, **override))


def dashboard_url(q: StatsQuery, **override) -> str:
    return reverse("stats:dashboard") + "?" + urlencode(q.params(**override))


def _cells(q: StatsQuery, values: dict[str, Value], **override) -> list[Cell]:
    # A dashboard has hundreds of cells: the row's part of the link is encoded once, not per cell.
    row_link = reverse("stats:cases") + "?" + urlencode(q.params(**override)) + "&indicator="
    return [
        Cell(values[c].value, values[c].display, row_link + c if values[c].value is not None else "")
        for c in TABLE_COLUMNS
    ]


def build(key: str, q: StatsQuery, user) -> Table:
    """The table `key` for the slice; the caller has checked `key` and the slice."""
    cols = list(TABLE_COLUMNS)
    if key in ("children", "grids"):
        if q.area is None or selectors.is_direct(q):
            rows = []
        else:
            source = selectors.children(q) if key == "children" else selectors.grid_values(q)
            rows = [
                Row(
                    area.name if area != q.area else _("%(name)s（本级）") % {"name": area.name},
                    dashboard_url(q, area=area.code) if area != q.area else "",
                    _cells(q, values, area=area.code),
                )
                for area, _counters, values in selectors.ranked(source, q.indicator)
            ]
        title = _("下级区域排名") if key == "children" else _("网格排名")
        return Table(key, title, _("区域"), cols, rows)
    if key == "categories":
        rows = [
            Row(cat.name, dashboard_url(q, category=cat.code), _cells(q, v, category=cat.code))
            for cat, _c, v in selectors.ranked(selectors.by_category(q, user), "received")
        ]
        return Table(key, _("事项分类"), _("事项分类"), cols, rows)
    if key == "channels":
        from muling.cases.enums import Channel

        codes = {str(label): code for code, label in Channel.choices}
        rows = [
            Row(label, dashboard_url(q, channel=codes.get(label, "")), _cells(q, v, channel=codes.get(label)))
            for label, _c, v in selectors.ranked(selectors.by_channel(q, user), "received")
        ]
        return Table(key, _("来源渠道"), _("来源渠道"), cols, rows)
    # trend
    from .indicators import evaluate

    rows = []
    for label, counters in selectors.trend(q, user):
        values = evaluate(counters)
        rows.append(Row(label, "", [Cell(values[c].value, values[c].display) for c in cols]))
    return Table(key, _("趋势"), _("日期"), cols, rows)


def to_xlsx(table: Table, *, subtitle: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = table.title[:31]
    for row in table.matrix():
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "B2"
    about = wb.create_sheet(_("说明"))
    about.append([table.title])
    about.append([subtitle])
    about.append([])
    reg = registry()
    about.append([_("指标"), _("计算方法")])
    for code in table.columns:
        about.append([str(reg[code].name), str(reg[code].formula)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in table.matrix():
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read it as UTF-8
