"""Escalation up the secretary ladder: automatic, exactly once per missed deadline, across holidays."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from muling.cases import deadlines, services
from muling.cases.enums import EventKind, Level, Status
from muling.cases.models import CalendarDay, Case

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def test_deadline_skips_the_national_day_holiday_and_counts_the_swapped_saturday(db):
    # 2026-09-30 (Wed) + 2 working days: Oct 1–7 are holidays (Oct 8 too in some years); the package
    # knows the real schedule, including Saturday 10 October 2026 being a working day.
    assert not deadlines.is_working_day(at(2026, 10, 1).date())
    assert deadlines.is_working_day(at(2026, 10, 10).date())  # 调休: a Saturday worked
    assert not deadlines.is_working_day(at(2026, 10, 11).date())
    start = at(2026, 9, 30, 9, 0)
    due = deadlines.add_working_days(start, 2)
    days = [d for d in range(1, 15) if deadlines.is_working_day(at(2026, 10, d).date())]
    assert due.date() == at(2026, 10, days[1]).date()
    assert due.hour == 9


def test_admin_calendar_overrides_the_package(db):
    day = at(2027, 3, 3).date()
    assert deadlines.is_working_day(day)
    CalendarDay.objects.create(date=day, is_working_day=False, note="临时休息")
    assert not deadlines.is_working_day(day)


def test_unknown_year_counts_weekends_only(db, settings):
    settings.HOLIDAY_CALENDAR_KNOWN_UNTIL = 2027
    assert deadlines.is_working_day(at(2031, 10, 1).date())  # a Wednesday; nobody knows 2031's schedule yet
    assert not deadlines.is_working_day(at(2031, 10, 4).date())  # Saturday


def test_overdue_case_climbs_one_level_exactly_once(world, report):
    with time_machine.travel(at(2026, 9, 28, 10, 0), tick=False):
        case = report()
    assert case.level == Level.GRID
    after_deadline = case.deadline + timedelta(minutes=1)
    with time_machine.travel(after_deadline, tick=False):
        assert services.escalate_overdue_cases() == 1
        assert services.escalate_overdue_cases() == 0  # the sweep ran twice: still one escalation
        services.case_escalate(case_id=case.pk, actor=None, reason="overdue")  # a retried task: no-op
    case = Case.objects.get(pk=case.pk)
    assert case.level == Level.COMMUNITY
    assert case.escalation_count == 1
    assert case.owner_person == world.users["community_secretary"].person
    assert case.deadline > after_deadline
    assert case.events.filter(kind=EventKind.ESCALATED).count() == 1


def test_deadline_across_national_day_does_not_escalate_during_the_holiday(world, report):
    with time_machine.travel(at(2026, 9, 29, 10, 0), tick=False):
        case = report()  # sanitation: 7 working days
    with time_machine.travel(at(2026, 10, 8, 12, 0), tick=False):
        assert services.escalate_overdue_cases() == 0  # 7 calendar days later, but the holiday doesn't count
    with time_machine.travel(case.deadline + timedelta(seconds=1), tick=False):
        assert services.escalate_overdue_cases() == 1


def test_catch_up_after_the_worker_was_down_escalates_once_per_missed_deadline(world, report):
    with time_machine.travel(at(2026, 11, 2, 9, 0), tick=False):
        case = report()
    # The worker was down for a month: each sweep run moves the case one rung, and each rung has a new
    # deadline counted from the escalation, so one sweep is one escalation, never a jump to the top.
    with time_machine.travel(at(2026, 12, 20, 9, 0), tick=False):
        assert services.escalate_overdue_cases() == 1
        assert services.escalate_overdue_cases() == 0
    case = Case.objects.get(pk=case.pk)
    assert case.level == Level.COMMUNITY and case.escalation_count == 1


def test_the_ladder_tops_out_at_county(world, report):
    case = report()
    levels = []
    for _ in range(5):
        case = Case.objects.get(pk=case.pk)
        with time_machine.travel(case.deadline + timedelta(minutes=1), tick=False):
            services.escalate_overdue_cases()
        levels.append(Case.objects.get(pk=case.pk).level)
    assert levels == [Level.COMMUNITY, Level.STREET, Level.COUNTY, Level.COUNTY, Level.COUNTY]
    owners = list(
        Case.objects.get(pk=case.pk).events.filter(kind="escalated").values_list("owner_person", flat=True)
    )
    assert owners == [
        world.users["community_secretary"].person_id,
        world.users["street_secretary"].person_id,
        world.users["county_secretary"].person_id,
    ]


def test_closed_cases_never_escalate(world, report):
    case = report()
    worker = world.users["grid_worker"]
    services.case_accept(case_id=case.pk, actor=worker)
    services.case_resolve(case_id=case.pk, actor=worker, result="好了")
    with time_machine.travel(case.deadline + timedelta(days=1), tick=False):
        assert services.escalate_overdue_cases() == 0


def test_unrated_cases_close_as_not_rated(world, report):
    case = report()
    worker = world.users["grid_worker"]
    services.case_accept(case_id=case.pk, actor=worker)
    services.case_resolve(case_id=case.pk, actor=worker, result="好了")
    resolved_at = Case.objects.get(pk=case.pk).resolved_at
    with time_machine.travel(resolved_at + timedelta(days=8), tick=False):
        assert services.close_unrated_cases() == 1
    case = Case.objects.get(pk=case.pk)
    assert case.status == Status.CLOSED and case.satisfaction == ""
    assert case.events.last().data == {"unrated": True}


@pytest.mark.parametrize(
    ("user", "allowed"), [("community_secretary", True), ("grid_worker", True), ("resident", False)]
)
def test_manual_escalation_by_role(world, report, user, allowed):
    from muling.cases.errors import CaseForbidden, CaseNotFound

    case = report()
    if allowed:
        assert services.case_escalate(case_id=case.pk, actor=world.users[user]).level == Level.COMMUNITY
    else:
        with pytest.raises((CaseForbidden, CaseNotFound)):
            services.case_escalate(case_id=case.pk, actor=world.users[user])
        assert Case.objects.get(pk=case.pk).level == Level.GRID
