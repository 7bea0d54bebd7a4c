"""12345 hotline import: an Excel or CSV export of hotline tickets becomes routed cases.

Unlike the roster importer (all or nothing), every good row is kept and every bad row is reported with
its line and reason: a hotline ticket must never be lost because its neighbour in the file was bad.
Re-importing the same ticket number creates nothing (the channel + external id is unique, and
case_submit returns the existing case); rows are submitted one transaction each.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from muling.errors import DomainError
from muling.places.importing import TableUnreadable, read_rows
from muling.places.selectors import area_named_in

from . import services
from .enums import Channel
from .models import Case, Category

# Column names as 12345 platforms export them, and our own English keys.
COLUMNS = {
    "ticket": ("工单编号", "工单号", "编号", "ticket", "ticket_number"),
    "time": ("来电时间", "受理时间", "时间", "time", "called_at"),
    "phone": ("来电号码", "联系电话", "电话", "phone", "caller_phone"),
    "name": ("来电人", "联系人", "姓名", "name", "caller_name"),
    "content": ("诉求内容", "内容", "问题描述", "content", "text"),
    "address": ("事发地址", "地址", "address"),
    "category": ("诉求分类", "分类", "类别", "category"),
}
REQUIRED = ("ticket", "content", "address")
HEADER_SEARCH_ROWS = 10


@dataclass
class HotlineReport:
    file_name: str
    rows: int = 0
    created: list[str] = field(default_factory=list)  # case numbers
    repeated: list[str] = field(default_factory=list)  # ticket numbers already imported
    rejected: list[tuple[int | None, str]] = field(default_factory=list)  # (line, reason)
    uncategorised: int = 0

    @property
    def ok(self) -> bool:
        return not self.rejected

    def summary(self) -> str:
        return _(
            "%(file)s：共 %(rows)d 行，新建 %(created)d 件，重复 %(repeated)d 行，退回 %(rejected)d 行"
        ) % {
            "file": self.file_name,
            "rows": self.rows,
            "created": len(self.created),
            "repeated": len(self.repeated),
            "rejected": len(self.rejected),
        }


def hotline_import(*, file_obj, file_name: str, actor=None, progress=None) -> HotlineReport:
    """Import every good row; report the rest. `progress(total)` returns a bar (tqdm fits)."""
    report = HotlineReport(file_name=file_name)
    try:
        raw = read_rows(file_obj, file_name)
    except TableUnreadable as exc:
        report.rejected.append((None, str(exc)))
        return report
    header_line, keys = _find_header(raw)
    if header_line is None:
        report.rejected.append((None, _("找不到表头：需要“工单编号”“诉求内容”“事发地址”等列")))
        return report
    missing = [name for name in REQUIRED if name not in keys]
    if missing:
        labels = "、".join(COLUMNS[name][0] for name in missing)
        report.rejected.append((header_line, _("缺少列：%(cols)s") % {"cols": labels}))
        return report
    data = [
        (header_line + 1 + i, row) for i, row in enumerate(raw[header_line:]) if any(_text(v) for v in row)
    ]
    report.rows = len(data)
    categories = list(Category.objects.filter(is_active=True))
    bar = progress(len(data)) if progress else None
    for line, row in data:
        values = {key: row[i] if i < len(row) else None for i, key in enumerate(keys) if key}
        _import_row(report, line, values, categories, actor)
        if bar:
            bar.update(1)
    if bar:
        bar.close()
    return report


def _import_row(report: HotlineReport, line: int, values: dict, categories, actor) -> None:
    ticket = _text(values.get("ticket"))[:64]
    content = _text(values.get("content"))
    if not ticket:
        report.rejected.append((line, _("缺少工单编号")))
        return
    if Case.objects.filter(channel=Channel.HOTLINE, external_id=ticket).exists():
        report.repeated.append(ticket)
        return
    if not content:
        report.rejected.append((line, _("缺少诉求内容")))
        return
    area = area_named_in(_text(values.get("address")))
    if area is None:
        report.rejected.append(
            (
                line,
                _("无法根据地址“%(address)s”确定所在网格或社区") % {"address": _text(values.get("address"))},
            )
        )
        return
    try:
        called_at = _moment(values.get("time"))
    except ValueError:
        report.rejected.append(
            (line, _("来电时间无法识别：%(value)s") % {"value": _text(values.get("time"))})
        )
        return
    category = _category(_text(values.get("category")), categories)
    if category.code == "other" and _text(values.get("category")):
        report.uncategorised += 1
    try:
        case = services.case_submit(
            category=category,
            text=content,
            channel=Channel.HOTLINE,
            reporter=None,
            actor=actor,
            area=area,
            address=_text(values.get("address"))[:200],
            contact_name=_text(values.get("name"))[:50],
            contact_phone=_text(values.get("phone"))[:20],
            hide_name=True,
            is_public=False,
            external_id=ticket,
            now=called_at,
        )
    except DomainError as exc:
        report.rejected.append((line, str(exc.message)))
        return
    report.created.append(case.number)


def _find_header(raw_rows) -> tuple[int | None, list[str | None]]:
    lookup = {alias.lower(): key for key, aliases in COLUMNS.items() for alias in aliases}
    for index, row in enumerate(raw_rows[:HEADER_SEARCH_ROWS]):
        keys = [lookup.get(_text(v).lower()) for v in row]
        if sum(1 for k in keys if k) >= 2:
            return index + 1, keys
    return None, []


def _category(label: str, categories: list[Category]) -> Category:
    """By code or name, exactly or contained ("供暖问题" → 供暖); otherwise 其他."""
    for cat in categories:
        if label in (cat.code, cat.name):
            return cat
    for cat in sorted(categories, key=lambda c: -len(c.name)):
        if label and (cat.name in label or label in cat.name):
            return cat
    return next(c for c in categories if c.code == "other")


def _moment(value) -> datetime:
    """The call time: an Excel datetime, or text like 2026-11-28 09:30; missing means now."""
    if value in (None, ""):
        return timezone.now()
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        moment = parse_datetime(_text(value).replace("/", "-"))
        if moment is None:
            raise ValueError(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now() + timezone.timedelta(minutes=5):
        raise ValueError(value)
    return moment


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # ticket numbers and phones typed as numbers in Excel
    return str(value).strip()
