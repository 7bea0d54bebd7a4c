"""Every read of the numbers. Area slices (an area's subtree × days × category × channel) are sums
over DailyRollup — a city-wide page never touches the cases table. Department and post-holder slices
depend on who handled a case, which is not a rollup dimension: they are computed directly from the
cases and events of the slice (bounded by the department's or the person's own cases and the
caller's scope) through the same facts.case_counters."""

from collections import defaultdict
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr, TruncMonth
from django.utils.translation import get_language

from muling.cases.enums import Channel
from muling.cases.models import Case, CaseEvent, Category, Summons
from muling.cases.rules import department_ids
from muling.people import scope
from muling.places.levels import Level
from muling.places.models import Area

from . import rules
from .facts import ALL_COUNTERS
from .indicators import Value, evaluate, registry
from .models import DailyRollup, SubtreeRollup
from .rollups import SUBTREE_MAX_DEPTH, day_start, iter_case_counters, local_day
from .services import StatsQuery

SUMS = {c: Sum(c) for c in ALL_COUNTERS}
MONTHLY_AFTER_DAYS = 62  # longer ranges trend by month


def zeros() -> dict[str, int]:
    return dict.fromkeys(ALL_COUNTERS, 0)


def _clean(row: dict) -> dict[str, int]:
    return {c: int(row.get(c) or 0) for c in ALL_COUNTERS}


def is_direct(q: StatsQuery) -> bool:
    return q.department is not None or q.person is not None


# ---- the two sources -----------------------------------------------------------------------------


def rollup_rows(q: StatsQuery) -> QuerySet:
    """Rows whose sums are the slice. An area at community level or above (or the whole city) reads
    its own SubtreeRollup rows — a few per day and category; a grid or building sums the DailyRollup
    rows under its path, which are few at that size."""
    if q.area is None:
        qs = SubtreeRollup.objects.filter(depth=1)
    elif q.area.depth <= SUBTREE_MAX_DEPTH:
        qs = SubtreeRollup.objects.filter(area_path=q.area.path)
    else:
        qs = DailyRollup.objects.filter(area_path__startswith=q.area.path)
    return _narrowed(qs, q)


def _narrowed(qs: QuerySet, q: StatsQuery) -> QuerySet:
    qs = qs.filter(day__gte=q.date_from, day__lte=q.date_to)
    if q.category is not None:
        qs = qs.filter(category=q.category)
    if q.channel:
        qs = qs.filter(channel=q.channel)
    return qs


def slice_cases(q: StatsQuery, user=None) -> QuerySet[Case]:
    """The cases behind a slice: received in the range, under the area, handled by the department or
    person at any time (an event with them as owner), within what `user` may see."""
    qs = Case.objects.filter(
        created_at__gte=day_start(q.date_from), created_at__lt=day_start(q.date_to + timedelta(days=1))
    )
    if q.area is not None:
        qs = qs.filter(area_path__startswith=q.area.path)
    if q.category is not None:
        qs = qs.filter(category=q.category)
    if q.channel:
        qs = qs.filter(channel=q.channel)
    if q.department is not None:
        qs = qs.filter(Exists(CaseEvent.objects.filter(case=OuterRef("pk"), owner_department=q.department)))
    if q.person is not None:
        qs = qs.filter(Exists(CaseEvent.objects.filter(case=OuterRef("pk"), owner_person=q.person)))
    return qs.filter(_scope_q(user, q))


def _scope_q(user, q: StatsQuery) -> Q:
    if user is None or user.is_superuser:
        return Q()
    if q.department is not None and q.department.pk in department_ids(user):
        return Q()  # a department's staff see all of their department's cases
    if q.person is not None and user.person_id == q.person.pk:
        return Q()  # and a handler all of their own
    return scope.under_paths_q(rules.area_paths(user), "area_path")


def totals(q: StatsQuery, user=None) -> dict[str, int]:
    if is_direct(q):
        return totals_direct(q, user)
    return cached("totals", q, lambda: _clean(rollup_rows(q).aggregate(**SUMS)))


def cached(kind: str, q: StatsQuery, compute):
    """`compute()` for an area slice, kept STATS_CACHE_SECONDS in the shared cache (Redis).

    Only rollup slices are cached: their numbers depend on the slice alone (the caller's scope was
    checked when the slice was made), so every leader looking at the same street shares one copy.
    Department and person slices depend on who asks and are always computed. The numbers may lag
    the timeline by up to that many seconds, which dashboards say ("统计数据每分钟更新")."""
    seconds = int(getattr(settings, "STATS_CACHE_SECONDS", 60))
    if seconds <= 0 or is_direct(q):
        return compute()
    params = sorted(q.params(indicator=q.indicator).items())
    key = f"stats:{kind}:{get_language()}:{urlencode(params)}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, seconds)
    return found


def totals_direct(q: StatsQuery, user=None) -> dict[str, int]:
    out = zeros()
    for _case, counters in iter_case_counters(slice_cases(q, user)):
        for k, v in counters.items():
            out[k] += v
    return out


# ---- groupings -----------------------------------------------------------------------------------


def _grouped_direct(q: StatsQuery, user, key) -> dict:
    out: dict = defaultdict(zeros)
    for case, counters in iter_case_counters(slice_cases(q, user)):
        row = out[key(case)]
        for k, v in counters.items():
            row[k] += v
    return out


def trend(q: StatsQuery, user=None) -> list[tuple[str, dict[str, int]]]:
    """(label, counters) per day, or per month for ranges longer than two months; empty days included."""
    monthly = q.days > MONTHLY_AFTER_DAYS
    labels = []
    day = q.date_from
    while day <= q.date_to:
        label = day.strftime("%Y-%m") if monthly else day.isoformat()
        if not labels or labels[-1] != label:
            labels.append(label)
        day += timedelta(days=1)
    if is_direct(q):
        fmt = "%Y-%m" if monthly else "%Y-%m-%d"
        found = _grouped_direct(q, user, lambda c: local_day(c.created_at).strftime(fmt))
    elif monthly:
        rows = rollup_rows(q).annotate(month=TruncMonth("day")).values("month").annotate(**SUMS)
        found = {r["month"].strftime("%Y-%m"): _clean(r) for r in rows}
    else:
        rows = rollup_rows(q).values("day").annotate(**SUMS)
        found = {r["day"].isoformat(): _clean(r) for r in rows}
    return [(label, found.get(label, zeros())) for label in labels]


def by_category(q: StatsQuery, user=None) -> list[tuple[Category, dict[str, int]]]:
    if is_direct(q):
        found = _grouped_direct(q, user, lambda c: c.category_id)
    else:
        found = {r["category_id"]: _clean(r) for r in rollup_rows(q).values("category_id").annotate(**SUMS)}
    cats = Category.objects.in_bulk(list(found))
    rows = [(cats[pk], counters) for pk, counters in found.items() if counters["received"]]
    return sorted(rows, key=lambda r: (-r[1]["received"], r[0].order, r[0].code))


def by_channel(q: StatsQuery, user=None) -> list[tuple[str, dict[str, int]]]:
    if is_direct(q):
        found = _grouped_direct(q, user, lambda c: c.channel)
    else:
        found = {r["channel"]: _clean(r) for r in rollup_rows(q).values("channel").annotate(**SUMS)}
    labels = dict(Channel.choices)
    rows = [(str(labels.get(ch, ch)), c) for ch, c in found.items() if c["received"]]
    return sorted(rows, key=lambda r: -r[1]["received"])


def by_prefix(q: StatsQuery, length: int) -> dict[str, dict[str, int]]:
    """Rollup sums of the slice grouped by the first `length` characters of the area path (one query).
    Areas down to community level are read whole from SubtreeRollup; below that, DailyRollup rows
    are grouped by path prefix (a case located at a shorter path is keyed by its own path)."""
    depth, rest = divmod(length, Area.steplen)
    if not rest and depth <= SUBTREE_MAX_DEPTH:
        qs = _narrowed(SubtreeRollup.objects.filter(depth=depth), q)
        if q.area is not None:
            qs = qs.filter(area_path__startswith=q.area.path)
        return {r["area_path"]: _clean(r) for r in qs.values("area_path").annotate(**SUMS)}
    qs = _narrowed(DailyRollup.objects.all(), q)
    if q.area is not None:
        qs = qs.filter(area_path__startswith=q.area.path)
    rows = qs.annotate(prefix=Substr("area_path", 1, length)).values("prefix").annotate(**SUMS)
    return {r["prefix"]: _clean(r) for r in rows}


def children(q: StatsQuery) -> list[tuple[Area, dict[str, int]]]:
    """The areas one level below the slice's area with their sums, including those with no cases.
    Cases located at the area itself (a grid case without a building) form a row of their own."""
    area = q.area
    kids = list(Area.objects.get_children(area))
    found = by_prefix(q, len(area.path) + Area.steplen)
    rows = [(kid, found.get(kid.path, zeros())) for kid in kids]
    own = found.get(area.path)
    if own is None:  # read whole from SubtreeRollup: the area's own cases are what its children lack
        whole = _clean(rollup_rows(q).aggregate(**SUMS))
        own = {c: whole[c] - sum(counters[c] for counters in found.values()) for c in ALL_COUNTERS}
    if own["received"]:
        rows.append((area, own))
    return rows


def ranked(rows, indicator: str) -> list[tuple[object, dict[str, int], dict[str, Value]]]:
    """Rows with their indicator values, best first by `indicator`; rows without a value last."""
    ind = registry()[indicator]
    out = [(obj, counters, evaluate(counters)) for obj, counters in rows]

    def key(row):
        value = row[2][indicator].value
        if value is None:
            return (1, 0)
        return (0, -value if ind.higher_is_better else value)

    return sorted(out, key=key)


def siblings(area: Area) -> list[Area]:
    parent = Area.objects.get_parent(area)
    return list(Area.objects.get_children(parent)) if parent else [area]


def grids_under(area: Area) -> list[Area]:
    if area.level == Level.GRID:
        return [area]
    return list(Area.objects.filter(path__startswith=area.path, level=Level.GRID).order_by("path"))


def grid_values(q: StatsQuery) -> list[tuple[Area, dict[str, int]]]:
    grids = grids_under(q.area)
    if not grids:
        return []
    found = by_prefix(q, len(grids[0].path))
    return [(g, found.get(g.path, zeros())) for g in grids]


def summons_by_department(q: StatsQuery, user=None) -> list[dict]:
    """吹哨报到 per summoned department over the slice's cases: summoned, answered, answered on time."""
    rows = (
        Summons.objects.filter(case__in=slice_cases(q, user))
        .values("department__code", "department__name")
        .annotate(
            total=Count("pk"),
            answered=Count("pk", filter=Q(answered_at__isnull=False)),
            on_time=Count("pk", filter=Q(answered_at__lte=F("deadline"))),
        )
        .order_by("department__name")
    )
    out = []
    for r in rows:
        rate = round(100 * r["on_time"] / r["total"], 1) if r["total"] else None
        out.append({**r, "rate": rate})
    return out


def drill_cases(q: StatsQuery, user, counters: tuple[str, ...]) -> list[Case]:
    """The cases whose own counters make up the number `counters` of the slice, newest first."""
    ids = [case.pk for case, c in iter_case_counters(slice_cases(q, user)) if sum(c[n] for n in counters) > 0]
    return list(
        Case.objects.filter(pk__in=ids)
        .select_related("category", "area", "owner_person", "owner_department")
        .order_by("-created_at", "-pk")
    )


def breadcrumb(user, area: Area) -> list[Area]:
    """The area and its ancestors that the user's scope covers, outermost first."""
    chain = [*Area.objects.get_ancestors(area), area]
    return [a for a in chain if rules.covers_area(user, a)]
