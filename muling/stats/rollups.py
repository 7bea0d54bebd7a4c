"""Keeping DailyRollup in step with the timeline, rebuilding it, and the same sums computed directly.

Incremental: for each new event, the case's counters are computed from its timeline without and with
that event (facts.case_counters) and the difference is added to the case's cohort row with one
`INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n` — atomic on PostgreSQL and SQLite alike, so
two events committing at once can never lose a count. The hook runs inside the event's transaction:
if the event rolls back, so does its count.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from muling.cases.models import Case, CaseEvent

from .facts import ALL_COUNTERS, case_counters, diff, ev_of, facts_of
from .models import DailyRollup

SHANGHAI = ZoneInfo("Asia/Shanghai")
DIMENSIONS = ("day", "area_id", "area_path", "category_id", "channel")


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment, SHANGHAI).date()


def day_start(day: date) -> datetime:
    """The first instant of a Shanghai day, as an aware datetime (for created_at range filters)."""
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def dims_of(case) -> tuple:
    return (local_day(case.created_at), case.area_id, case.area_path, case.category_id, case.channel)


# ---- incremental ---------------------------------------------------------------------------------


def on_event(event: CaseEvent, case: Case) -> None:
    """EVENT_HOOKS entry: add what `event` changes in its case's counters to the cohort row."""
    rows = list(case.events.order_by("at", "id"))
    before = [ev_of(e) for e in rows if e.pk != event.pk]
    after = [ev_of(e) for e in rows]
    fixed = facts_of(case)
    delta = diff(case_counters(fixed, before), case_counters(fixed, after))
    if delta:
        add(dims_of(case), delta)


def add(dims: tuple, delta: dict[str, int]) -> None:
    """Upsert-increment one rollup row. Only the changed counters are named in the update."""
    table = connection.ops.quote_name(DailyRollup._meta.db_table)
    q = connection.ops.quote_name
    columns = [*DIMENSIONS, *ALL_COUNTERS]
    values = [*dims, *(delta.get(c, 0) for c in ALL_COUNTERS)]
    updates = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in ALL_COUNTERS if c in delta)
    sql = (
        f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({q('day')}, {q('area_id')}, {q('category_id')}, {q('channel')}) "
        f"DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


# ---- computed from cases and events --------------------------------------------------------------


def iter_case_counters(cases: QuerySet[Case], batch: int = 500) -> Iterable[tuple[Case, dict[str, int]]]:
    """(case, counters) for every case of `cases`, reading events in batches (two queries a batch)."""
    ids = list(cases.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        timelines = defaultdict(list)
        for e in CaseEvent.objects.filter(case_id__in=chunk).order_by("case_id", "at", "id"):
            timelines[e.case_id].append(ev_of(e))
        fields = ("id", "created_at", "dispatch_deadline", "deadline", "area_id", "area_path")
        for case in Case.objects.filter(pk__in=chunk).only(*fields, "category_id", "channel").order_by("pk"):
            yield case, case_counters(facts_of(case), timelines[case.pk])


def rows_from_cases(cases: QuerySet[Case]) -> dict[tuple, dict[str, int]]:
    """Rollup rows as the timeline says they should be, keyed by dimensions (zero rows left out)."""
    rows: dict[tuple, dict[str, int]] = {}
    for case, counters in iter_case_counters(cases):
        row = rows.setdefault(dims_of(case), dict.fromkeys(ALL_COUNTERS, 0))
        for k, v in counters.items():
            row[k] += v
    return {k: v for k, v in rows.items() if any(v.values())}


def rows_in_table(qs: QuerySet[DailyRollup] | None = None) -> dict[tuple, dict[str, int]]:
    qs = DailyRollup.objects.all() if qs is None else qs
    out = {}
    for row in qs.values(*DIMENSIONS, *ALL_COUNTERS):
        counters = {c: row[c] for c in ALL_COUNTERS}
        if any(counters.values()):
            out[tuple(row[d] for d in DIMENSIONS)] = counters
    return out


@transaction.atomic
def rebuild(*, since: date | None = None, until: date | None = None) -> int:
    """Recompute the rows of cohort days since..until (all days by default) from the timeline.

    On PostgreSQL the table is locked against concurrent hooks for the length of the rebuild: an event
    committed before the lock is in the recomputation, an event whose hook waits on the lock adds its
    difference after the rebuild — never both, never neither. (SQLite serialises writers anyway.)
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {connection.ops.quote_name(DailyRollup._meta.db_table)} IN EXCLUSIVE MODE"
            )
    rows = DailyRollup.objects.all()
    cases = Case.objects.all()
    if since:
        rows, cases = rows.filter(day__gte=since), cases.filter(created_at__gte=day_start(since))
    if until:
        end = day_start(until + timedelta(days=1))
        rows, cases = rows.filter(day__lte=until), cases.filter(created_at__lt=end)
    rows.delete()
    fresh = rows_from_cases(cases)
    DailyRollup.objects.bulk_create(
        [
            DailyRollup(**dict(zip(DIMENSIONS, dims, strict=True)), **counters)
            for dims, counters in fresh.items()
        ],
        batch_size=500,
    )
    return len(fresh)
