"""Dashboards, drill-down, exports, the street report card and the public community page. Thin:
check the request (services.stats_query), read (selectors / tables), render. Every DomainError is
shown as a page with its message and its 4xx — never a 500, never a silently empty chart."""

import json
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from muling.cases.enums import Channel
from muling.cases.models import Category
from muling.cases.rules import department_ids
from muling.errors import DomainError
from muling.people.models import Department
from muling.places.levels import Level
from muling.places.models import Area

from . import rules, selectors, services, tables
from .errors import StatsError, StatsForbidden
from .indicators import COUNT, HEADLINE, P90, RATE, SCORE, evaluate, registry
from .services import StatsQuery


def refusing(view):
    """Render a DomainError as a page with its message and status."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return render(request, "stats/refused.html", {"error": exc}, status=exc.status)

    return wrapper


def _require_stats(user) -> None:
    if not user.has_perm("stats.view_dashboard"):
        raise StatsForbidden("no_stats_post", _("您的岗位不能查看统计数据"))


def _default_slice(request) -> dict:
    """/stats/ without a slice picks the view by the user's posts: a leader's subtree, a handler's own
    numbers, or their department's."""
    params = request.GET.dict()
    if any(params.get(k) for k in ("area", "department", "person")):
        return params
    user = request.user
    if rules.has_leader_post(user):
        return params
    if rules.has_handler_post(user) and user.person_id:
        return {**params, "person": str(user.person_id)}
    depts = sorted(department_ids(user))
    if depts:
        return {**params, "department": Department.objects.get(pk=depts[0]).code}
    return params


def kpis(q: StatsQuery, user, totals: dict[str, int] | None = None) -> list[dict]:
    now = evaluate(totals if totals is not None else selectors.totals(q, user))
    before = evaluate(selectors.totals(q.previous(), user))
    reg = registry()
    out = []
    for code in (*HEADLINE, "closure_rate", "on_time_closure_rate", "rework_rate", "extension_rate",
                 "avg_respond_hours", "p90_respond_hours", "avg_resolve_hours", "p90_resolve_hours"):  # fmt: skip
        ind, value, prev = reg[code], now[code], before[code]
        delta = None
        if value.value is not None and prev.value is not None and ind.kind != P90:
            delta = round(value.value - prev.value, 1)
        better = None if not delta else (delta > 0) == ind.higher_is_better
        out.append(
            {
                "indicator": ind,
                "value": value,
                "previous": prev,
                "delta": delta,
                "better": better,
                "url": tables.drill_url(q, code),
                "denominator_url": tables.drill_url(q, code, part="denominator") if ind.denominator else "",
            }
        )
    return out


def _chart_data(q: StatsQuery, user, trend_table, category_table) -> dict:
    reg = registry()
    chosen = q.indicator if reg[q.indicator].kind in (RATE, SCORE) else "composite_score"
    idx = {c: i for i, c in enumerate(trend_table.columns)}
    data = {
        "trend": {
            "labels": [r.label for r in trend_table.rows],
            "series": [
                {"name": str(reg["received"].name), "kind": "count",
                 "values": [r.cells[idx["received"]].value for r in trend_table.rows]},
                {"name": str(reg["resolved"].name), "kind": "count",
                 "values": [r.cells[idx["resolved"]].value for r in trend_table.rows]},
            ],
        },
        "categories": {
            "labels": [r.label for r in category_table.rows],
            "values": [r.cells[idx["received"]].value for r in category_table.rows],
            "name": str(reg["received"].name),
        },
    }  # fmt: skip
    if chosen in idx:
        data["trend"]["series"].append(
            {
                "name": str(reg[chosen].name),
                "kind": "rate",
                "values": [r.cells[idx[chosen]].value for r in trend_table.rows],
            }
        )
    # The grid map is drawn for a street and below: a district has hundreds of grids and the city
    # thousands, too many polygons for a phone; their children table ranks streets instead.
    if q.area is not None and q.area.level >= Level.STREET and not selectors.is_direct(q):
        grids = [(g, evaluate(c)) for g, c in selectors.grid_values(q)]
        with_polygons = [(g, v) for g, v in grids if g.polygon]
        if with_polygons:
            data["map"] = {
                "indicator": str(reg[q.indicator].name),
                "geojson": {
                    "type": "FeatureCollection",
                    "features": [
                        {"type": "Feature", "properties": {"name": g.code, "title": g.name}, "geometry": g.polygon}
                        for g, _v in with_polygons
                    ],
                },
                "values": [
                    {"name": g.code, "title": g.name, "value": v[q.indicator].value, "display": v[q.indicator].display}
                    for g, v in with_polygons
                ],
                "links": {g.code: tables.dashboard_url(q, area=g.code) for g, _v in with_polygons},
                "higher_is_better": reg[q.indicator].higher_is_better,
            }  # fmt: skip
    return data


@login_required
@refusing
def dashboard(request):
    user = request.user
    _require_stats(user)
    q = services.stats_query(user, _default_slice(request))
    context = {
        "q": q,
        "querystring": urlencode(q.params()),
        **selectors.cached("dashboard", q, lambda: _dashboard_numbers(q, user)),
        "breadcrumb": selectors.breadcrumb(user, q.area) if q.area else [],
        "cache_minutes": _cache_minutes(q),
        "indicators": [i for i in registry().values() if i.kind in (RATE, SCORE, COUNT)],
        "categories_all": Category.objects.filter(is_active=True),
        "channels_all": Channel.choices,
        "own_url": _own_url(q, user) if rules.has_handler_post(user) and q.person is None else "",
        "previous": q.previous(),
    }
    return render(request, "stats/dashboard.html", context)


def _cache_minutes(q: StatsQuery) -> int:
    seconds = int(getattr(settings, "STATS_CACHE_SECONDS", 60))
    return 0 if seconds <= 0 or selectors.is_direct(q) else max(1, round(seconds / 60))


def _dashboard_numbers(q: StatsQuery, user) -> dict:
    """Everything on the dashboard that is computed from the slice (the part worth caching)."""
    children = tables.build("children", q, user)
    categories = tables.build("categories", q, user)
    channels = tables.build("channels", q, user)
    trend = tables.build("trend", q, user)
    totals = selectors.totals(q, user)
    return {
        "kpis": kpis(q, user, totals),
        "received": totals["received"],
        "tables": [t for t in (children, categories, channels) if t.rows],
        "trend": trend,
        "charts": _chart_data(q, user, trend, categories),
        "summonses": selectors.summons_by_department(q, user),
    }


def _own_url(q: StatsQuery, user) -> str:
    params = {"person": user.person_id, "from": q.date_from.isoformat(), "to": q.date_to.isoformat()}
    return reverse("stats:dashboard") + "?" + urlencode(params)


def _drill_counters(code: str, part: str) -> tuple[str, ...]:
    ind = registry()[code]
    if part == "denominator" and ind.denominator:
        return ind.denominator
    if ind.kind in (P90,) or ind.code == "composite_score":
        return ("received",)
    if ind.kind == "hours":
        return ind.denominator
    return ind.numerator


@login_required
@refusing
def drill(request):
    user = request.user
    _require_stats(user)
    q = services.stats_query(user, request.GET.dict())
    part = request.GET.get("part", "numerator")
    if part not in ("numerator", "denominator"):
        raise StatsError("bad_part", _("part 应为 numerator 或 denominator"), field="part")
    ind = registry()[q.indicator]
    cases = selectors.drill_cases(q, user, _drill_counters(q.indicator, part))
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    label = ind.denominator_label if part == "denominator" else (ind.numerator_label or ind.name)
    return render(
        request,
        "stats/cases.html",
        {
            "q": q,
            "indicator": ind,
            "label": label,
            "part": part,
            "page": page,
            "count": len(cases),
            "back_url": tables.dashboard_url(q),
            "querystring": urlencode({**q.params(indicator=q.indicator), "part": part}),
        },
    )


@login_required
@refusing
def table_export(request, key: str):
    user = request.user
    _require_stats(user)
    if key not in tables.TABLE_KEYS:
        raise StatsError("unknown_table", _("未知的统计表：%(key)s") % {"key": key[:20]})
    q = services.stats_query(user, request.GET.dict())
    table = tables.build(key, q, user)
    fmt = request.GET.get("format", "html")
    where = q.area.name if q.area else (q.department or q.person)
    subtitle = f"{where} · {q.date_from:%Y-%m-%d} — {q.date_to:%Y-%m-%d}"
    filename = f"{table.key}-{q.date_from:%Y%m%d}-{q.date_to:%Y%m%d}"
    if fmt == "xlsx":
        response = HttpResponse(
            tables.to_xlsx(table, subtitle=subtitle),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    if fmt == "csv":
        response = HttpResponse(tables.to_csv(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    if fmt != "html":
        raise StatsError("bad_format", _("导出格式应为 xlsx 或 csv"), field="format")
    return render(
        request,
        "stats/table_page.html",
        {"q": q, "table": table, "subtitle": subtitle, "querystring": urlencode(q.params())},
    )


def formulas(request):
    return render(request, "stats/formulas.html", {"indicators": registry().values()})


def _report_rows(q: StatsQuery, areas: list[Area]):
    """Areas with their sums in the report's period, ranked by composite score."""
    if not areas:
        return []
    found = selectors.by_prefix(
        StatsQuery(area=None, date_from=q.date_from, date_to=q.date_to), len(areas[0].path)
    )
    return selectors.ranked([(a, found.get(a.path, selectors.zeros())) for a in areas], "composite_score")


@login_required
@refusing
def report_card(request, code: str):
    """The street's monthly or half-year report card (述职评议 "必答题"), print-ready."""
    user = request.user
    _require_stats(user)
    street = services.area_by_code(code)
    if street.level != Level.STREET:
        raise StatsError("not_a_street", _("述职报告按街道出具，“%(name)s”不是街道") % {"name": street.name})
    if not rules.covers_area(user, street):
        raise StatsForbidden("area_out_of_scope", _("“%(name)s”不在您的管辖范围内") % {"name": street.name})
    first, last, label = services.parse_period(request.GET.get("period") or "")
    q = StatsQuery(area=street, date_from=first, date_to=last)
    values = evaluate(selectors.totals(q))
    previous = evaluate(selectors.totals(q.previous()))
    siblings = _report_rows(q, selectors.siblings(street))
    rank = next((i for i, row in enumerate(siblings, 1) if row[0] == street), None)
    grids = [row for row in _report_rows(q, selectors.grids_under(street)) if row[1]["received"]]
    reg = registry()
    lines = [
        (reg[c], values[c], previous[c])
        for c in ("received", "resolved", "closed", "response_rate", "resolution_rate", "satisfaction_rate",
                  "closure_rate", "on_time_closure_rate", "rework_rate", "extension_rate",
                  "avg_respond_hours", "avg_resolve_hours", "escalated", "composite_score")
    ]  # fmt: skip
    return render(
        request,
        "stats/report.html",
        {
            "street": street,
            "label": label,
            "q": q,
            "lines": lines,
            "siblings": siblings,
            "rank": rank,
            "best": grids[:3],
            "worst": list(reversed(grids[3:]))[:3] if len(grids) > 3 else [],
            "hot": selectors.ranked(selectors.by_category(q), "received")[:5],
            "clusters": _period_hotspots(user, street, first, last)[:10],
            "themes": themes_in(user, street, first, last),
            "querystring": urlencode(q.params()),
        },
    )


def _period_hotspots(user, street: Area, first, last):
    """The period's hot problems: clusters of similar cases received between `first` and `last`."""
    from datetime import timedelta

    from .hotspots import hotspots
    from .rollups import day_start

    return hotspots(
        user=user, area=street, days=(last - first).days + 1, now=day_start(last + timedelta(days=1))
    )


def themes_in(user, street: Area, first, last):
    from .themes import themes_visible

    return (
        themes_visible(user)
        .filter(area__path__startswith=street.path, created_at__date__lte=last)
        .exclude(closed_at__date__lt=first)
        .select_related("area", "owner")
    )


def public_community(request, code: str):
    """Per-community numbers for anyone: counts and rates only, never a name, text or address."""
    area = Area.objects.filter(code=code, level=Level.COMMUNITY).first()
    if area is None:
        raise Http404
    try:
        if request.GET.get("period"):
            first, last, label = services.parse_period(request.GET["period"])
        else:
            first, last = services.default_range()
            label = _("%(y)d年%(m)d月") % {"y": first.year, "m": first.month}
    except DomainError as exc:
        return render(request, "stats/refused.html", {"error": exc}, status=exc.status)
    q = StatsQuery(area=area, date_from=first, date_to=last)
    values = evaluate(selectors.totals(q))
    reg = registry()
    shown = (
        "received",
        "resolved",
        "response_rate",
        "resolution_rate",
        "satisfaction_rate",
        "on_time_closure_rate",
    )
    return render(
        request,
        "stats/public.html",
        {
            "area": area,
            "label": label,
            "values": [(reg[c], values[c]) for c in shown],
            "categories": [(cat.name, c["received"]) for cat, c in selectors.by_category(q)],
            "formulas_url": reverse("stats:formulas"),
        },
    )


def json_for_script(data) -> str:
    return json.dumps(data, ensure_ascii=False)
