"""Time limits: hours for dispatch, days (working days where configured) for handling.

Working days come from the `holidays` package's China calendar, which knows the swapped working days
(调休) of the years the State Council has published; an admin's CalendarDay rows override it, and a
year beyond settings.HOLIDAY_CALENDAR_KNOWN_UNTIL counts weekends only unless an admin recorded it.
"""

import time
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


@lru_cache(maxsize=16)
def _package_calendar(year: int):
    return holidays.China(years=year)


# An admin's calendar corrections, read at most once a minute per process: every new case and every
# escalation computes a deadline, and the table changes a few times a year. Saving or deleting a row
# clears this process's copy at once (CalendarDay.save/delete); other processes follow within a minute.
OVERRIDES_SECONDS = 60
_overrides_cache: dict = {"read_at": None, "days": {}}


def _overrides() -> dict[date, bool]:
    from .models import CalendarDay

    now = time.monotonic()
    read_at = _overrides_cache["read_at"]
    if read_at is None or now - read_at > OVERRIDES_SECONDS:
        _overrides_cache["days"] = dict(CalendarDay.objects.values_list("date", "is_working_day"))
        _overrides_cache["read_at"] = now
    return _overrides_cache["days"]


def forget_overrides() -> None:
    _overrides_cache["read_at"] = None


def is_working_day(day: date, overrides: dict[date, bool] | None = None) -> bool:
    overrides = _overrides() if overrides is None else overrides
    if day in overrides:
        return overrides[day]
    if day.year <= getattr(settings, "HOLIDAY_CALENDAR_KNOWN_UNTIL", 2027):
        return _package_calendar(day.year).is_working_day(day)
    return day.weekday() < 5


def add_working_days(start: datetime, days: int) -> datetime:
    """The same local time of day, `days` working days later (a start on a holiday counts from the
    next working day, as offices do)."""
    overrides = _overrides()
    local = timezone.localtime(start, SHANGHAI)
    day = local.date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, overrides):
            remaining -= 1
    return local.replace(year=day.year, month=day.month, day=day.day)


def add_days(category, *, start: datetime, days: int) -> datetime:
    """`days` later, in working days if the category counts them."""
    if category.working_days:
        return add_working_days(start, days)
    return start + timedelta(days=days)


def resolve_deadline(category, *, start: datetime) -> datetime:
    return add_days(category, start=start, days=category.resolve_days)


def dispatch_deadline(category, *, start: datetime) -> datetime:
    return start + timedelta(hours=category.dispatch_hours)
