"""What one case's timeline says, as counters: the single definition every number is built from.

`case_counters` is a pure function of the case's fixed facts (submission time, dispatch limit, the
deadline in force) and its events. The incremental rollup adds the difference between the counters
before and after each new event; the rebuild and the direct computation sum it over cases. Because all
three use this one function, "rollup == rebuild == direct" checks the bookkeeping, and the hand-built
timeline tests check the function itself against numbers worked out by hand.

Cohort rule (批次口径): every counter of a case is booked on the day the case was received (Asia/Shanghai),
so "November's resolution rate" is about November's cases, as of now. A period's rates therefore keep
moving while its cases are still open; they settle once the cases are closed.

Only facts that never change after they matter are read from the case row: `created_at` and
`dispatch_deadline` never change, and `deadline` no longer changes once the case is closed (the only
moment `closed_on_time` reads it). Everything else comes from the events.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from muling.cases.enums import EventKind, Satisfaction, Status

# Every counter a rollup row holds. Counts are cases unless said otherwise.
COUNTERS = (
    "received",  # 受理量: cases received
    "dispatched",  # 派遣量: cases dispatched at least once
    "rejected",  # 不予受理
    "merged",  # 合并的重复诉求
    "valid",  # 有效诉求: received − rejected − merged
    "due_respond",  # 应响应: valid, or answered before being rejected/merged
    "responded",  # 已响应: first ACCEPTED / TAKEN_OVER event
    "responded_on_time",  # 按时响应: first response at or before the dispatch limit
    "respond_seconds",  # sum of (first response − received), over responded cases
    "resolved_reported",  # 办结（承办方报告）: now resolved or closed after a resolution
    "resolved_confirmed",  # 办结（群众确认）: closed by the resident's satisfied / basically rating
    "resolve_seconds",  # sum of (last resolution − received), over resolved_reported cases
    "closed",  # 结案
    "closed_on_time",  # 按期结案: closed, last resolution at or before the deadline in force
    "handled",  # 已办理: resolved at least once
    "reopened",  # 返工: reopened at least once
    "extended",  # 延期: an extension approved at least once
    "rated",  # 已评价: has a rating (the resident's, or a call-back's)
    "satisfied",  # 满意 (latest rating)
    "basically",  # 基本满意
    "unsatisfied",  # 不满意
    "escalated",  # cases escalated at least once
    "escalations_l2",  # escalation events to the community (events, not cases)
    "escalations_l3",  # … to the street
    "escalations_l4",  # … to the county
    "summoned",  # 吹哨 events × departments summoned
    "summons_answered_on_time",  # departments that answered within their limit
)

# Histogram buckets (upper bounds in seconds) for the 90th percentiles: exact percentiles cannot be
# summed over rows, bucket counts can. The p90 shown is the upper bound of the bucket it falls in.
RESPOND_BUCKETS = (1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 24 * 3600, 72 * 3600, None)
RESOLVE_BUCKETS = (4 * 3600, 86400, 2 * 86400, 3 * 86400, 7 * 86400, 15 * 86400, 30 * 86400, None)
RESPOND_HIST = tuple(f"respond_h{i}" for i in range(len(RESPOND_BUCKETS)))
RESOLVE_HIST = tuple(f"resolve_h{i}" for i in range(len(RESOLVE_BUCKETS)))
ALL_COUNTERS = COUNTERS + RESPOND_HIST + RESOLVE_HIST

RESPONSE_KINDS = {EventKind.ACCEPTED, EventKind.TAKEN_OVER}
FINAL_UNSOLVED = {Status.REJECTED, Status.MERGED}
SATISFIED_VALUES = {Satisfaction.SATISFIED, Satisfaction.BASICALLY}


@dataclass(frozen=True)
class Ev:
    """The part of a CaseEvent the counters read."""

    kind: str
    at: datetime
    to_status: str
    data: dict


@dataclass(frozen=True)
class CaseFixed:
    created_at: datetime
    dispatch_deadline: datetime
    deadline: datetime


def bucket(seconds: float, bounds) -> int:
    for i, bound in enumerate(bounds):
        if bound is None or seconds <= bound:
            return i
    return len(bounds) - 1


def case_counters(case: CaseFixed, events: Iterable[Ev]) -> dict[str, int]:
    """The counters this case adds to its cohort row, given its timeline so far (ordered by at, id)."""
    events = list(events)
    out = dict.fromkeys(ALL_COUNTERS, 0)
    if not events or events[0].kind != EventKind.CREATED:
        return out  # not a case the statistics know yet
    status = events[-1].to_status
    first_response = next((e.at for e in events if e.kind in RESPONSE_KINDS), None)
    resolutions = [e.at for e in events if e.kind == EventKind.RESOLVED]
    rating = ""
    closed_unrated = False
    for e in events:
        if e.kind == EventKind.RATED or (e.kind == EventKind.CALLBACK and e.data.get("satisfaction")):
            rating = e.data.get("satisfaction", "")
        if e.kind == EventKind.CLOSED:
            closed_unrated = bool(e.data.get("unrated"))

    out["received"] = 1
    out["dispatched"] = int(any(e.kind == EventKind.DISPATCHED for e in events))
    out["rejected"] = int(status == Status.REJECTED)
    out["merged"] = int(status == Status.MERGED)
    out["valid"] = int(status not in FINAL_UNSOLVED)
    out["due_respond"] = int(first_response is not None or status not in FINAL_UNSOLVED)
    if first_response is not None:
        seconds = max(0, int((first_response - case.created_at).total_seconds()))
        out["responded"] = 1
        out["responded_on_time"] = int(first_response <= case.dispatch_deadline)
        out["respond_seconds"] = seconds
        out[RESPOND_HIST[bucket(seconds, RESPOND_BUCKETS)]] = 1
    if status in (Status.RESOLVED, Status.CLOSED) and resolutions:
        seconds = max(0, int((resolutions[-1] - case.created_at).total_seconds()))
        out["resolved_reported"] = 1
        out["resolve_seconds"] = seconds
        out[RESOLVE_HIST[bucket(seconds, RESOLVE_BUCKETS)]] = 1
    if status == Status.CLOSED:
        out["closed"] = 1
        out["resolved_confirmed"] = int(not closed_unrated)
        out["closed_on_time"] = int(bool(resolutions) and resolutions[-1] <= case.deadline)
    out["handled"] = int(bool(resolutions))
    out["reopened"] = int(any(e.kind == EventKind.REOPENED for e in events))
    out["extended"] = int(any(e.kind == EventKind.EXTENSION_APPROVED for e in events))
    if rating:
        out["rated"] = 1
        out[rating if rating in Satisfaction.values else "unsatisfied"] = 1
    escalations = [e for e in events if e.kind == EventKind.ESCALATED]
    out["escalated"] = int(bool(escalations))
    for e in escalations:
        level = int(e.data.get("to", 0) or 0)
        if 2 <= level <= 4:
            out[f"escalations_l{level}"] += 1
    for e in events:
        if e.kind == EventKind.SUMMONED:
            out["summoned"] += len(e.data.get("departments", []))
        elif e.kind == EventKind.SUMMONS_ANSWERED and e.data.get("on_time"):
            out["summons_answered_on_time"] += 1
    return out


def diff(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before[k] for k in ALL_COUNTERS if after[k] != before[k]}


def facts_of(case) -> CaseFixed:
    return CaseFixed(
        created_at=case.created_at, dispatch_deadline=case.dispatch_deadline, deadline=case.deadline
    )


def ev_of(event) -> Ev:
    return Ev(kind=event.kind, at=event.at, to_status=event.to_status, data=event.data or {})
