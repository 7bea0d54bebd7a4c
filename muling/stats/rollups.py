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
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from muling.cases.models import Case, CaseEvent
from muling.places.models import Area

from .facts import ALL_COUNTERS, case_counters, diff, ev_of, facts_of
from .models import DailyRollup, SubtreeRollup

SHANGHAI = ZoneInfo("Asia/Shanghai")
DIMENSIONS = ("day", "area_id", "area_path", "category_id", "channel")
SUBTREE_DIMENSIONS = ("day", "depth", "area_path", "category_id", "channel")
FINE_KEY = ("day", "area_id", "category_id", "channel")  # the unique constraints the upserts hit
SUBTREE_KEY = ("area_path", "day", "category_id", "channel")
SUBTREE_MAX_DEPTH = 4  # city 1, district 2, street 3, community 4 (see places.levels)


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment, SHANGHAI).date()


def day_start(day: date) -> datetime:
    """The first instant of a Shanghai day, as an aware datetime (for created_at range filters)."""
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def dims_of(case) -> tuple:
    return (local_day(case.created_at), case.area_id, case.area_path, case.category_id, case.channel)


# ---- incremental ---------------------------------------------------------------------------------


def on_events(new_events: list[CaseEvent], case: Case, timeline: list[CaseEvent] | None) -> None:
    """EVENT_HOOKS entry: add what `new_events` change in their case's counters to the cohort row."""
    rows = timeline if timeline is not None else list(case.events.order_by("at", "id"))
    new = {e.pk for e in new_events}
    before = [ev_of(e) for e in rows if e.pk not in new]
    after = [ev_of(e) for e in rows]
    fixed = facts_of(case)
    delta = diff(case_counters(fixed, before), case_counters(fixed, after))
    if delta:
        add(dims_of(case), delta)


def add(dims: tuple, delta: dict[str, int]) -> None:
    """Upsert-increment the case's own row and the rows of its community, street, district and city
    (two statements, one round trip). Only the changed counters are named; the others default to 0."""
    day, _area_id, area_path, category_id, channel = dims
    changed = [c for c in ALL_COUNTERS if c in delta]
    if not changed:
        return
    changed, counters = tuple(changed), [delta[c] for c in changed]
    statements = [(_upsert_sql(DailyRollup, DIMENSIONS, FINE_KEY, changed, rows=1), [*dims, *counters])]
    subtree = subtree_paths(area_path)
    if subtree:
        sql = _upsert_sql(SubtreeRollup, SUBTREE_DIMENSIONS, SUBTREE_KEY, changed, rows=len(subtree))
        params = [v for depth, path in subtree for v in (day, depth, path, category_id, channel, *counters)]
        statements.append((sql, params))
    _execute_together(statements)


def _execute_together(statements: list[tuple[str, list]]) -> None:
    """One round trip on PostgreSQL (psycopg's client-side binding takes several statements at once);
    one execute each elsewhere (SQLite's driver takes one)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(";\n".join(sql for sql, _p in statements), [v for _s, p in statements for v in p])
        else:
            for sql, params in statements:
                cursor.execute(sql, params)


def subtree_paths(area_path: str) -> list[tuple[int, str]]:
    """(depth, path) of the areas at city … community level whose subtree holds `area_path`, outermost
    first — always the same order, so two transactions lock shared rows in the same order."""
    step = Area.steplen
    return [
        (depth, area_path[: depth * step])
        for depth in range(1, SUBTREE_MAX_DEPTH + 1)
        if depth * step <= len(area_path)
    ]


@lru_cache(maxsize=512)
def _upsert_sql(model, dimensions: tuple, key: tuple, changed: tuple, *, rows: int) -> str:
    """INSERT `rows` rows of (dimensions + the `changed` counters), or add those counters to the
    existing row. Built once per shape: the same few shapes recur on every submission."""
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    columns = [*dimensions, *changed]
    one = f"({', '.join(['%s'] * len(columns))})"
    updates = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in changed)
    return (
        f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) VALUES {', '.join([one] * rows)} "
        f"ON CONFLICT ({', '.join(q(k) for k in key)}) DO UPDATE SET {updates}"
    )


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
    rebuild_subtrees(since=since, until=until)
    return len(fresh)


def _subtree_select(since: date | None, until: date | None) -> tuple[str, list]:
    """SQL selecting what SubtreeRollup should hold, summed from DailyRollup, and its parameters."""
    q = connection.ops.quote_name
    step = Area.steplen
    sums = ", ".join(f"SUM({q(c)})" for c in ALL_COUNTERS)
    where, params = [], []
    if since:
        where.append("day >= %s")
        params.append(since)
    if until:
        where.append("day <= %s")
        params.append(until)
    where_sql = f"WHERE {' AND '.join(where)}" if where else ""
    parts = []
    all_params = []
    for depth in range(1, SUBTREE_MAX_DEPTH + 1):
        length = depth * step
        parts.append(
            f"SELECT day, {depth}, SUBSTR(area_path, 1, {length}), category_id, channel, {sums} "
            f"FROM {q(DailyRollup._meta.db_table)} "
            f"{where_sql}{' AND' if where else 'WHERE'} LENGTH(area_path) >= {length} "
            f"GROUP BY day, SUBSTR(area_path, 1, {length}), category_id, channel"
        )
        all_params += params
    return " UNION ALL ".join(parts), all_params


def rebuild_subtrees(*, since: date | None = None, until: date | None = None) -> None:
    """Recompute SubtreeRollup from DailyRollup, finest first: communities from the daily rows under
    them, then each coarser level from the level below plus the daily rows of cases located at that
    area itself — each step reads far fewer rows than the whole daily table (minutes → seconds at
    ten million cases)."""
    rows = SubtreeRollup.objects.all()
    if since:
        rows = rows.filter(day__gte=since)
    if until:
        rows = rows.filter(day__lte=until)
    rows.delete()
    q = connection.ops.quote_name
    step = Area.steplen
    daily, subtree = q(DailyRollup._meta.db_table), q(SubtreeRollup._meta.db_table)
    counters = ", ".join(q(c) for c in ALL_COUNTERS)
    sums = ", ".join(f"SUM({q(c)})" for c in ALL_COUNTERS)
    columns = ", ".join(q(c) for c in (*SUBTREE_DIMENSIONS, *ALL_COUNTERS))
    days, params = _day_range_sql(since, until)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET work_mem = '256MB'")  # the GROUP BY stays in memory instead of spilling
        for depth in range(SUBTREE_MAX_DEPTH, 0, -1):
            length = depth * step
            source = (
                f"SELECT day, area_path, category_id, channel, {counters} FROM {daily} "
                f"WHERE {days} AND LENGTH(area_path) {'>=' if depth == SUBTREE_MAX_DEPTH else '='} {length}"
            )
            source_params = list(params)
            if depth < SUBTREE_MAX_DEPTH:
                source += (
                    f" UNION ALL SELECT day, area_path, category_id, channel, {counters} FROM {subtree} "
                    f"WHERE {days} AND depth = {depth + 1}"
                )
                source_params += params
            cursor.execute(
                f"INSERT INTO {subtree} ({columns}) "
                f"SELECT day, {depth}, SUBSTR(area_path, 1, {length}), category_id, channel, {sums} "
                f"FROM ({source}) AS s GROUP BY day, SUBSTR(area_path, 1, {length}), category_id, channel",
                source_params,
            )
        if connection.vendor == "postgresql":
            cursor.execute("RESET work_mem")


def _day_range_sql(since: date | None, until: date | None) -> tuple[str, list]:
    where, params = ["1 = 1"], []
    if since:
        where.append("day >= %s")
        params.append(since)
    if until:
        where.append("day <= %s")
        params.append(until)
    return " AND ".join(where), params


def subtree_mismatches() -> int:
    """How many SubtreeRollup rows differ from the sums of DailyRollup (0 when in step)."""
    q = connection.ops.quote_name
    select, params = _subtree_select(None, None)
    columns = ", ".join(q(c) for c in (*SUBTREE_DIMENSIONS, *ALL_COUNTERS))
    table = f"(SELECT {columns} FROM {q(SubtreeRollup._meta.db_table)}) AS t"
    sql = (
        f"SELECT COUNT(*) FROM ((SELECT * FROM ({select}) AS e EXCEPT SELECT * FROM {table}) "
        f"UNION ALL (SELECT * FROM {table} EXCEPT SELECT * FROM ({select}) AS e2)) AS d"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params + params)
        return cursor.fetchone()[0]
