"""The numbers over REST: the indicator registry and a slice's summary. Same checks as the pages
(services.stats_query): bad input and out-of-scope areas answer JSON 4xx through the API root."""

from datetime import date

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from . import selectors, services
from .errors import StatsForbidden
from .indicators import evaluate, registry

router = Router(tags=["stats"])


class IndicatorOut(Schema):
    code: str
    name: str
    unit: str
    kind: str
    formula: str
    numerator: list[str]
    denominator: list[str]
    higher_is_better: bool


class ValueOut(Schema):
    code: str
    name: str
    value: float | None
    display: str
    numerator: int | None
    denominator: int | None


class SummaryOut(Schema):
    area: str | None
    date_from: date
    date_to: date
    values: list[ValueOut]
    previous: list[ValueOut]


@router.get("/indicators", response=list[IndicatorOut])
def indicators(request):
    return [
        IndicatorOut(
            code=i.code,
            name=str(i.name),
            unit=str(i.unit),
            kind=i.kind,
            formula=str(i.formula),
            numerator=list(i.numerator),
            denominator=list(i.denominator),
            higher_is_better=i.higher_is_better,
        )
        for i in registry().values()
    ]


def _values(totals) -> list[ValueOut]:
    return [
        ValueOut(
            code=code,
            name=str(v.indicator.name),
            value=v.value,
            display=v.display,
            numerator=v.numerator,
            denominator=v.denominator,
        )
        for code, v in evaluate(totals).items()
    ]


@router.get("/summary", response=SummaryOut)
def summary(
    request,
    area: str = "",
    category: str = "",
    channel: str = "",
    department: str = "",
    person: str = "",
    date_from: str = Query("", alias="from"),
    date_to: str = Query("", alias="to"),
):
    user = request.user
    if not user.has_perm("stats.view_dashboard"):
        raise StatsForbidden("no_stats_post", _("您的岗位不能查看统计数据"))
    params = {
        "area": area,
        "from": date_from,
        "to": date_to,
        "category": category,
        "channel": channel,
        "department": department,
        "person": person,
    }
    q = services.stats_query(user, params)
    return SummaryOut(
        area=q.area.code if q.area else None,
        date_from=q.date_from,
        date_to=q.date_to,
        values=_values(selectors.totals(q, user)),
        previous=_values(selectors.totals(q.previous(), user)),
    )


class HotspotOut(Schema):
    category: str
    place_code: str
    place_name: str
    count: int
    previous_count: int
    trend: int
    sample: str
    case_ids: list[int]


class ThemeIn(Schema):
    title: str
    area: str
    deadline: date
    case_ids: list[int]
    owner_id: int | None = None
    category: str | None = None


class ThemeCloseIn(Schema):
    result: str


class ThemeOut(Schema):
    id: int
    title: str
    area: str
    owner_id: int
    deadline: date
    state: str
    result: str
    case_ids: list[int]


def _theme_out(theme) -> dict:
    from .themes import case_ids_of

    return {
        "id": theme.pk,
        "title": theme.title,
        "area": theme.area.code,
        "owner_id": theme.owner_id,
        "deadline": theme.deadline,
        "state": theme.state,
        "result": theme.result,
        "case_ids": case_ids_of(theme),
    }


@router.get("/hot", response=list[HotspotOut])
def hot_problems(request, area: str = "", days: int = 7, min_cases: int = 3):
    """Clusters of similar recent cases in one place (热点难点), biggest first, within the caller's scope."""
    from . import hotspots, rules
    from .errors import StatsError

    if not 1 <= days <= hotspots.MAX_DAYS or not 2 <= min_cases <= 50:
        raise StatsError("bad_window", _("天数应在 1 到 92 之间，件数应在 2 到 50 之间"))
    place = services.area_by_code(area) if area else services.default_area(request.user)
    if place is None or not rules.covers_area(request.user, place):
        raise StatsForbidden("area_out_of_scope", _("该区域不在您的统计范围内"), field="area")
    return [
        {
            "category": s.category.code,
            "place_code": s.place.code,
            "place_name": s.place.name,
            "count": s.count,
            "previous_count": s.previous_count,
            "trend": s.trend,
            "sample": s.sample,
            "case_ids": [c.pk for c in s.cases],
        }
        for s in hotspots.hotspots(user=request.user, area=place, days=days, min_cases=min_cases)
    ]


@router.post("/themes", response={201: ThemeOut})
def theme_create(request, body: ThemeIn):
    """Turn cases into a proactive theme (每月一题) with an owner and a deadline; secretaries only."""
    from muling.cases.models import Category
    from muling.people.models import Person

    from . import themes

    owner = Person.objects.filter(pk=body.owner_id or request.user.person_id or 0).first()
    theme = themes.theme_create(
        actor=request.user,
        title=body.title,
        area=services.area_by_code(body.area),
        owner=owner,
        deadline=body.deadline,
        case_ids=body.case_ids,
        category=Category.objects.filter(code=body.category or "").first(),
    )
    return Status(201, _theme_out(theme))


@router.post("/themes/{theme_id}/close", response=ThemeOut)
def theme_close(request, theme_id: int, body: ThemeCloseIn):
    from . import themes

    return _theme_out(themes.theme_close(actor=request.user, theme_id=theme_id, result=body.result))
