"""Reading GeoReport v2 parameters: form-encoded or query, empty values treated as absent,
`attribute[CODE]` and `attribute[CODE][]` (multi-value lists) gathered into one dict."""

import math
import re
from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from muling.numbers import is_plain_number

ATTRIBUTE_RE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
MAX_PARAM = 10_000  # longer than any field we accept, so the real limits can say what is wrong


class Open311Error(Exception):
    def __init__(self, status: int, description):
        super().__init__(str(description))
        self.status = status
        self.description = str(description)


def bad(description) -> Open311Error:
    return Open311Error(400, description)


def params(querydict) -> dict[str, str]:
    """Single-valued parameters with empty ones dropped (the spec says an empty parameter is absent)."""
    out = {}
    for key in querydict:
        if ATTRIBUTE_RE.match(key):
            continue
        value = querydict.get(key, "")
        if value is None:
            continue
        value = value.strip()
        if value:
            if len(value) > MAX_PARAM:
                raise bad(_("参数 %(name)s 过长") % {"name": key[:40]})
            if "\x00" in value:  # PostgreSQL text cannot hold it; the query would fail with a 500
                raise bad(_("参数 %(name)s 含有非法字符") % {"name": key[:40]})
            out[key] = value
    return out


def attributes(querydict) -> dict[str, object]:
    """{code: value} for `attribute[code]`, {code: [values]} for `attribute[code][]` (or repeats)."""
    out: dict[str, object] = {}
    for key in querydict:
        match = ATTRIBUTE_RE.match(key)
        if not match:
            continue
        values = [v.strip() for v in querydict.getlist(key) if v and v.strip()]
        if not values:
            continue
        code = match.group(1)
        if match.group(2) or len(values) > 1:
            existing = out.get(code, [])
            out[code] = [*(existing if isinstance(existing, list) else [existing]), *values]
        else:
            out[code] = values[0]
    return out


def csv(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def coordinate(value: str, name: str, limit: float) -> float:
    try:
        number = float(value)
    except ValueError:
        raise bad(_("%(name)s 不是有效的坐标") % {"name": name}) from None
    if not math.isfinite(number) or not -limit <= number <= limit:
        raise bad(_("%(name)s 超出范围") % {"name": name})
    return number


def moment(value: str, name: str) -> datetime:
    """A W3C/ISO 8601 date or datetime; a missing zone is read as local time."""
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            parsed = datetime(day.year, day.month, day.day) if day else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise bad(_("%(name)s 不是有效的 ISO 8601 时间") % {"name": name})
    if timezone.is_naive(parsed):
        try:
            parsed = timezone.make_aware(parsed)
        except (ValueError, OverflowError):
            raise bad(_("%(name)s 不是有效的 ISO 8601 时间") % {"name": name}) from None
    return parsed


def positive_int(value: str | None, name: str, *, default: int, maximum: int) -> int:
    if value is None:
        return default
    if not is_plain_number(value, max_digits=9) or not 1 <= int(value) <= maximum:
        raise bad(_("%(name)s 应为 1 到 %(max)d 之间的整数") % {"name": name, "max": maximum})
    return int(value)
