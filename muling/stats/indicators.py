"""The indicator registry: every number Muling reports, its formula in words, and how it is computed
from the rollup counters (facts.COUNTERS). Defaults follow GB/T 30428 practice and the 12345
assessment; a district overrides them in settings:

    MULING_INDICATOR_WEIGHTS = {"response_rate": 30, "resolution_rate": 35, "satisfaction_rate": 35}
    MULING_RESOLUTION_BASIS = "report"   # or "confirmation": count a case as resolved only when the
                                         # resident confirmed it (closed with a satisfied rating)
    MULING_STATS_MAX_DAYS = 366          # the longest date range a page or export accepts
"""

import math
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .facts import RESOLVE_BUCKETS, RESOLVE_HIST, RESPOND_BUCKETS, RESPOND_HIST

DEFAULT_WEIGHTS = {"response_rate": 30, "resolution_rate": 35, "satisfaction_rate": 35}
RESOLUTION_BASES = ("report", "confirmation")

COUNT, RATE, HOURS, P90, SCORE = "count", "rate", "hours", "p90", "score"


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    formula: str
    kind: str = COUNT
    numerator: tuple[str, ...] = ()
    denominator: tuple[str, ...] = ()
    numerator_label: str = ""
    denominator_label: str = ""
    higher_is_better: bool = True

    @property
    def unit(self) -> str:
        return {COUNT: _("件"), RATE: "%", HOURS: _("小时"), P90: _("小时"), SCORE: _("分")}[self.kind]


@dataclass(frozen=True)
class Value:
    indicator: Indicator
    value: float | int | None
    numerator: int | None = None
    denominator: int | None = None
    open_ended: bool = False  # a p90 beyond the last bucket: "more than `value` hours"

    @property
    def display(self) -> str:
        if self.value is None:
            return "—"
        if self.indicator.kind == COUNT:
            return f"{self.value:,}"
        if self.indicator.kind == P90:
            return f"{'>' if self.open_ended else '≤'}{self.value:g}"
        return f"{self.value:.1f}"


def weights() -> dict[str, float]:
    return dict(getattr(settings, "MULING_INDICATOR_WEIGHTS", DEFAULT_WEIGHTS))


def resolution_basis() -> str:
    basis = getattr(settings, "MULING_RESOLUTION_BASIS", "report")
    return basis if basis in RESOLUTION_BASES else "report"


def max_days() -> int:
    return int(getattr(settings, "MULING_STATS_MAX_DAYS", 366))


def registry() -> dict[str, Indicator]:
    """Every indicator by code, in display order. Kept per (resolution basis, weights, language), so a
    settings override applies at once while a dashboard — which asks hundreds of times — builds it once."""
    return _registry(resolution_basis(), tuple(sorted(weights().items())), get_language())


@lru_cache(maxsize=32)
def _registry(basis: str, _weights: tuple, _language: str | None) -> dict[str, Indicator]:
    confirmed = basis == "confirmation"
    resolved = ("resolved_confirmed",) if confirmed else ("resolved_reported",)
    resolved_words = (
        _("经群众确认（评价满意或基本满意后结案）的诉求") if confirmed else _("承办方已办结且未被返工的诉求")
    )
    w = weights()
    items = [
        Indicator("received", _("受理量"), _("期间内受理（提交）的诉求件数"), COUNT, ("received",)),
        Indicator(
            "dispatched", _("派遣量"), _("期间内受理、至少派遣过一次的诉求件数"), COUNT, ("dispatched",)
        ),
        Indicator("resolved", _("办结量"), resolved_words, COUNT, resolved),
        Indicator("closed", _("结案量"), _("已结案的诉求件数（含超期未评价结案）"), COUNT, ("closed",)),
        Indicator(
            "response_rate",
            _("响应率"),
            _(
                "在派遣时限内首次受理（受理或书记领办）的诉求 ÷ 应响应诉求（不含未经受理即不予受理或合并的诉求）"
            ),
            RATE,
            ("responded_on_time",),
            ("due_respond",),
            _("按时响应"),
            _("应响应"),
        ),
        Indicator(
            "resolution_rate",
            _("解决率"),
            _("%(resolved)s ÷ 有效诉求（受理量减去不予受理和合并的重复诉求）") % {"resolved": resolved_words},
            RATE,
            resolved,
            ("valid",),
            _("已解决"),
            _("有效诉求"),
        ),
        Indicator(
            "satisfaction_rate",
            _("满意率"),
            _(
                "（满意 + 基本满意）÷ 已评价诉求；以最后一次评价（含回访评价）为准，未评价的不计入分母，也从不算作满意"
            ),
            RATE,
            ("satisfied", "basically"),
            ("rated",),
            _("满意和基本满意"),
            _("已评价"),
        ),
        Indicator(
            "closure_rate",
            _("结案率"),
            _("已结案诉求 ÷ 应结案诉求（有效诉求）"),
            RATE,
            ("closed",),
            ("valid",),
            _("已结案"),
            _("应结案"),
        ),
        Indicator(
            "on_time_closure_rate",
            _("按期结案率"),
            _("最后一次办结在办理时限（含批准的延期）内、且已结案的诉求 ÷ 应结案诉求（有效诉求）"),
            RATE,
            ("closed_on_time",),
            ("valid",),
            _("按期结案"),
            _("应结案"),
        ),
        Indicator(
            "rework_rate",
            _("返工率"),
            _("被返工过的诉求 ÷ 办结过（至少一次）的诉求"),
            RATE,
            ("reopened",),
            ("handled",),
            _("返工"),
            _("已办理"),
            higher_is_better=False,
        ),
        Indicator(
            "extension_rate",
            _("延期率"),
            _("获批延期的诉求 ÷ 应结案诉求（有效诉求）"),
            RATE,
            ("extended",),
            ("valid",),
            _("延期"),
            _("应结案"),
            higher_is_better=False,
        ),
        Indicator(
            "avg_respond_hours",
            _("平均响应时长"),
            _("已响应诉求从提交到首次受理的时长之和 ÷ 已响应诉求数"),
            HOURS,
            ("respond_seconds",),
            ("responded",),
            higher_is_better=False,
        ),
        Indicator(
            "p90_respond_hours",
            _("响应时长（90%分位）"),
            _("90% 的已响应诉求在此时长内首次受理；按时长分档统计，显示所在档的上限"),
            P90,
            RESPOND_HIST,
            higher_is_better=False,
        ),
        Indicator(
            "avg_resolve_hours",
            _("平均办结时长"),
            _("已办结诉求从提交到最后一次办结的时长之和 ÷ 已办结诉求数"),
            HOURS,
            ("resolve_seconds",),
            ("resolved_reported",),
            higher_is_better=False,
        ),
        Indicator(
            "p90_resolve_hours",
            _("办结时长（90%分位）"),
            _("90% 的已办结诉求在此时长内办结；按时长分档统计，显示所在档的上限"),
            P90,
            RESOLVE_HIST,
            higher_is_better=False,
        ),
        Indicator(
            "escalated",
            _("升级件数"),
            _("至少升级过一次的诉求件数"),
            COUNT,
            ("escalated",),
            higher_is_better=False,
        ),
        Indicator(
            "escalations_community",
            _("升级至社区（次）"),
            _("升级到社区党委的次数"),
            COUNT,
            ("escalations_l2",),
            higher_is_better=False,
        ),
        Indicator(
            "escalations_street",
            _("升级至街道（次）"),
            _("升级到街道党工委的次数"),
            COUNT,
            ("escalations_l3",),
            higher_is_better=False,
        ),
        Indicator(
            "escalations_county",
            _("升级至县级（次）"),
            _("升级到县级党委的次数"),
            COUNT,
            ("escalations_l4",),
            higher_is_better=False,
        ),
        Indicator(
            "summons_on_time_rate",
            _("吹哨报到按时答复率"),
            _("在答复时限内报到答复的部门次数 ÷ 被吹哨的部门次数"),
            RATE,
            ("summons_answered_on_time",),
            ("summoned",),
            _("按时答复"),
            _("被吹哨"),
        ),
        Indicator(
            "composite_score",
            _("综合得分"),
            _("响应率 × %(r)s%% + 解决率 × %(s)s%% + 满意率 × %(t)s%%；某项无数据时按其余各项的权重重新折算")
            % {
                "r": f"{w.get('response_rate', 0):g}",
                "s": f"{w.get('resolution_rate', 0):g}",
                "t": f"{w.get('satisfaction_rate', 0):g}",
            },
            SCORE,
        ),
    ]
    return {i.code: i for i in items}


HEADLINE = (
    "received",
    "resolved",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "composite_score",
)
TABLE_COLUMNS = (
    "received",
    "resolved",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "closure_rate",
    "on_time_closure_rate",
    "rework_rate",
    "extension_rate",
    "avg_respond_hours",
    "avg_resolve_hours",
    "composite_score",
)


def _p90(totals: dict[str, int], names: tuple[str, ...], bounds) -> tuple[float | None, bool]:
    counts = [totals.get(n, 0) for n in names]
    n = sum(counts)
    if n <= 0:
        return None, False
    rank = math.ceil(0.9 * n)
    seen = 0
    for count, bound, previous in zip(counts, bounds, (None, *bounds), strict=False):
        seen += count
        if seen >= rank:
            if bound is None:
                return round(previous / 3600, 1), True
            return round(bound / 3600, 1), False
    return None, False


def evaluate(totals: dict[str, int], codes=None) -> dict[str, Value]:
    """Each indicator's value from summed counters. A rate without a denominator is None ("—"),
    never 0% and never 100%."""
    reg = registry()
    out: dict[str, Value] = {}
    for code in codes or reg:
        ind = reg[code]
        num = sum(totals.get(c, 0) for c in ind.numerator)
        den = sum(totals.get(c, 0) for c in ind.denominator)
        if ind.kind == COUNT:
            out[code] = Value(ind, num, num)
        elif ind.kind == RATE:
            out[code] = Value(ind, round(100 * num / den, 1) if den else None, num, den)
        elif ind.kind == HOURS:
            out[code] = Value(ind, round(num / den / 3600, 1) if den else None, num, den)
        elif ind.kind == P90:
            bounds = RESPOND_BUCKETS if ind.numerator == RESPOND_HIST else RESOLVE_BUCKETS
            value, open_ended = _p90(totals, ind.numerator, bounds)
            out[code] = Value(ind, value, open_ended=open_ended)
    if codes is None or "composite_score" in codes:
        out["composite_score"] = Value(reg["composite_score"], composite(totals, out))
    return out


def composite(totals: dict[str, int], known: dict[str, Value] | None = None) -> float | None:
    """The weighted mean of the weighted rates; `known` holds rates already evaluated from `totals`."""
    reg = registry()
    known = known or {}
    parts = []
    for code, weight in weights().items():
        if code not in reg or reg[code].kind != RATE:
            continue
        value = (known[code] if code in known else evaluate(totals, [code])[code]).value
        if value is not None:
            parts.append((float(weight), value))
    total_weight = sum(w for w, _v in parts)
    if not total_weight:
        return None
    return round(sum(w * v for w, v in parts) / total_weight, 1)
