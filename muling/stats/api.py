"""The numbers over REST: the indicator registry and a slice's summary. Same checks as the pages
(services.stats_query): bad input and out-of-scope areas answer JSON 4xx through the API root."""

from datetime import date

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

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
