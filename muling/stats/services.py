"""Reading and checking what a statistics request asks for. Every refusal is a StatsError (400),
StatsForbidden (403) or StatsNotFound (404) with a message a leader can act on; nothing here writes."""

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from muling.cases.enums import Channel
from muling.cases.models import Category
from muling.numbers import is_plain_number, plain_int
from muling.people.models import Department, Person
from muling.places.models import Area

from . import indicators, rules
from .errors import StatsError, StatsForbidden, StatsNotFound


@dataclass(frozen=True)
class StatsQuery:
    """One slice: an area subtree, a date range of received days, and optional filters."""

    area: Area | None
    date_from: date
    date_to: date
    category: Category | None = None
    channel: str = ""
    department: Department | None = None
    person: Person | None = None
    indicator: str = "composite_score"

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def previous(self) -> "StatsQuery":
        """The period of the same length just before this one."""
        return replace(
            self,
            date_from=self.date_from - timedelta(days=self.days),
            date_to=self.date_from - timedelta(days=1),
        )

    def params(self, **override) -> dict[str, str]:
        """Query-string parameters that reproduce this slice (for links and exports)."""
        out = {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        if self.area is not None:
            out["area"] = self.area.code
        if self.category is not None:
            out["category"] = self.category.code
        if self.channel:
            out["channel"] = self.channel
        if self.department is not None:
            out["department"] = self.department.code
        if self.person is not None:
            out["person"] = str(self.person.pk)
        out.update({k: str(v) for k, v in override.items() if v is not None})
        return out


def default_range(today: date | None = None) -> tuple[date, date]:
    """The current month so far."""
    today = today or timezone.localdate()
    return today.replace(day=1), today


def parse_day(value: str, field: str) -> date:
    try:
        day = parse_date(value.strip())
    except ValueError:
        day = None
    if day is None:
        raise StatsError("bad_date", _("日期格式应为 YYYY-MM-DD，例如 2026-11-01"), field=field)
    return day


def check_range(date_from: date, date_to: date) -> None:
    if date_from > date_to:
        raise StatsError("reversed_range", _("开始日期不能晚于结束日期"), field="from")
    limit = indicators.max_days()
    if (date_to - date_from).days + 1 > limit:
        raise StatsError(
            "range_too_long", _("日期范围不能超过 %(n)d 天，请缩小范围") % {"n": limit}, field="to"
        )
    if date_from > timezone.localdate():
        raise StatsError("range_in_future", _("开始日期晚于今天，该期间还没有数据"), field="from")


def check_indicator(code: str) -> str:
    if code not in indicators.registry():
        raise StatsError(
            "unknown_indicator", _("未知的指标：%(code)s") % {"code": code[:40]}, field="indicator"
        )
    return code


def area_by_code(code: str) -> Area:
    area = Area.objects.filter(code=code.strip()).first() if code.strip() else None
    if area is None:
        raise StatsNotFound("unknown_area", _("区域不存在：%(code)s") % {"code": code[:20]}, field="area")
    return area


def default_area(user) -> Area | None:
    """The outermost area the user's posts cover (the city for a superuser)."""
    paths = rules.area_paths(user)
    if not paths:
        return None
    if paths == ("",):
        return Area.objects.get_root_nodes().first()
    return Area.objects.filter(path=paths[0]).first()


def stats_query(user, params, *, require_area: bool = True) -> StatsQuery:
    """A checked StatsQuery from request parameters, scoped to `user`'s posts."""
    get = lambda name: (params.get(name) or "").strip()  # noqa: E731
    start, end = default_range()
    date_from = parse_day(get("from"), "from") if get("from") else start
    date_to = parse_day(get("to"), "to") if get("to") else end
    check_range(date_from, date_to)

    department = person = None
    if get("department"):
        department = Department.objects.filter(code=get("department")).first()
        if department is None:
            raise StatsNotFound("unknown_department", _("部门不存在"), field="department")
        if not rules.may_see_department(user, department):
            raise StatsForbidden("department_out_of_scope", _("您无权查看该部门的统计"), field="department")
    if get("person"):
        person = (
            Person.objects.filter(pk=plain_int(get("person"))).first()
            if is_plain_number(get("person"))
            else None
        )
        if person is None:
            raise StatsNotFound("unknown_person", _("人员不存在"), field="person")
        if not rules.may_see_person(user, person):
            raise StatsForbidden("person_out_of_scope", _("您无权查看该人员的统计"), field="person")

    area = None
    if get("area"):
        area = area_by_code(get("area"))
        if not rules.covers_area(user, area):
            raise StatsForbidden(
                "area_out_of_scope",
                _("“%(name)s”不在您的管辖范围内，无法查看其统计") % {"name": area.name},
                field="area",
            )
    elif require_area and department is None and person is None:
        area = default_area(user)
        if area is None:
            raise StatsForbidden("no_scope", _("您没有负责的区域，无法查看区域统计"))

    category = None
    if get("category"):
        category = Category.objects.filter(code=get("category")).first()
        if category is None:
            raise StatsError("unknown_category", _("未知的事项分类"), field="category")
    channel = get("channel")
    if channel and channel not in Channel.values:
        raise StatsError("unknown_channel", _("未知的来源渠道"), field="channel")
    indicator = check_indicator(get("indicator") or "composite_score")
    return StatsQuery(
        area=area,
        date_from=date_from,
        date_to=date_to,
        category=category,
        channel=channel,
        department=department,
        person=person,
        indicator=indicator,
    )


PERIOD_RE = re.compile(r"^(\d{4})(?:-(\d{2})|H([12]))$")


def parse_period(value: str) -> tuple[date, date, str]:
    """ "2026-11" (a month) or "2026H2" (a half year) → (first day, last day, label)."""
    m = PERIOD_RE.match((value or "").strip())
    if not m:
        raise StatsError("bad_period", _("期间格式应为 2026-11（月）或 2026H2（半年）"), field="period")
    year = int(m.group(1))
    if m.group(2):
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise StatsError("bad_period", _("月份应在 01 到 12 之间"), field="period")
        first = date(year, month, 1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        label = _("%(y)d年%(m)d月") % {"y": year, "m": month}
    else:
        half = int(m.group(3))
        first = date(year, 1 if half == 1 else 7, 1)
        last = date(year, 6, 30) if half == 1 else date(year, 12, 31)
        label = _("%(y)d年上半年") % {"y": year} if half == 1 else _("%(y)d年下半年") % {"y": year}
    if first > timezone.localdate():
        raise StatsError("range_in_future", _("该期间尚未开始，还没有数据"), field="period")
    return first, min(last, timezone.localdate()), label
