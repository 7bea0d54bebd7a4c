"""Cases with their timelines, extension requests and DailyRollup rows, for one chunk of days.

A case's life is a fixed list of *slots* (created, dispatched, urged, accepted, escalated …, closed),
each with a time and a flag "this case has it". Times are drawn for all cases of a chunk at once with
numpy; then the timeline is cut at the reference time `now` (and, for escalations, at the moment the
escalation sweep stopped running, so some open cases are overdue and the sweep has work). Everything
else — the case row, its events, its rollup counters — is read off the kept slots, the same way
muling.stats.facts reads a timeline, so `rebuild_rollups --check` agrees with the COPYed rollups.
"""

from __future__ import annotations

import numpy as np

from muling.cases.demo import TEXTS
from muling.cases.enums import Channel, EventKind, Status
from muling.stats.facts import ALL_COUNTERS, RESOLVE_BUCKETS, RESPOND_BUCKETS

from . import gen_text as T

DAY = 86400
TZ = 8 * 3600  # Asia/Shanghai has no daylight saving time: local = UTC + 8 h
# event id = case id × 100 + slot: unique, in timeline order, known without coordination, and written as
# the case id's text followed by two digits
ID_STRIDE = 100

# Slots, in timeline order.
CREATED, DISPATCHED, URGED, REJECTED, ACC1, EXT_REQ, EXT_OK, ESC1, ACC2, ESC2, ACC3 = range(11)
RESOLVED1, RATED_BAD, REOPENED, RESOLVED2, RATED, CLOSED = range(11, 17)
K = 17
SLOT_KIND = [
    EventKind.CREATED,
    EventKind.DISPATCHED,
    EventKind.URGED,
    EventKind.REJECTED,
    EventKind.ACCEPTED,
    EventKind.EXTENSION_REQUESTED,
    EventKind.EXTENSION_APPROVED,
    EventKind.ESCALATED,
    EventKind.ACCEPTED,
    EventKind.ESCALATED,
    EventKind.ACCEPTED,
    EventKind.RESOLVED,
    EventKind.RATED,
    EventKind.REOPENED,
    EventKind.RESOLVED,
    EventKind.RATED,
    EventKind.CLOSED,
]
STATUSES = ["", *Status.values]
S = {v: i for i, v in enumerate(STATUSES)}
CUR = -1  # "the status before this event": submitted or dispatched, depending on the route
SLOT_FROM = [0, S["submitted"], CUR, CUR, CUR, S["in_progress"], S["in_progress"], S["in_progress"]]
SLOT_FROM += [S["dispatched"], S["in_progress"], S["dispatched"], S["in_progress"], S["resolved"]]
SLOT_FROM += [S["resolved"], S["in_progress"], S["resolved"], S["resolved"]]
SLOT_TO = [S["submitted"], S["dispatched"], CUR, S["rejected"], S["in_progress"], S["in_progress"]]
SLOT_TO += [S["in_progress"], S["dispatched"], S["in_progress"], S["dispatched"], S["in_progress"]]
SLOT_TO += [S["resolved"], S["resolved"], S["in_progress"], S["resolved"], S["resolved"], S["closed"]]
OPEN = [S[s] for s in ("submitted", "dispatched", "in_progress")]

# Channel mix of a city's intake: the 12345 hotline and the app lead, grid patrols find a fifth.
CHANNEL_WEIGHTS = {
    Channel.HOTLINE: 30,
    Channel.WEB: 24,
    Channel.PATROL: 18,
    Channel.SERVICE_CARD: 8,
    Channel.VISIT: 7,
    Channel.WALK_IN: 5,
    Channel.MEETING: 2,
    Channel.API: 3,
    Channel.OPEN311: 3,
}
CHANNELS = [str(c) for c in CHANNEL_WEIGHTS]
# Channels whose reporter is a resident at home: the case is placed on the household's building.
HOME_CHANNELS = {Channel.WEB, Channel.SERVICE_CARD, Channel.VISIT, Channel.HOTLINE}
CATEGORY_WEIGHTS = {
    "sanitation": 16,
    "facilities": 12,
    "property": 10,
    "drainage": 8,
    "neighbour_dispute": 8,
    "policy": 7,
    "heating": 5,
    "water_supply": 5,
    "power": 4,
    "gas": 2,
    "safety_hazard": 5,
    "elderly_help": 6,
    "other": 5,
}
HOUR_WEIGHTS = np.array(
    [1, 0.5, 0.3, 0.3, 0.3, 0.6, 1.5, 3, 6, 8, 8, 7, 4, 4, 6, 7, 7, 6, 4, 3, 3, 2.5, 2, 1.5], float
)
RESULTS = ["已现场处理完毕，群众认可", "已协调相关单位解决", "已维修恢复正常", "已清理完毕", "已电话答复政策"]
REJECT_REASONS = ["不属于受理范围，已告知反映人相应渠道", "反映内容不清，多次联系未果"]
EXT_REASONS = ["需协调多个部门，申请延期", "需等待材料采购，申请延期"]


def chunk_days(day_counts: np.ndarray, target: int) -> list[tuple[int, int]]:
    """Split day positions into runs of about `target` cases (a rollup key never spans two runs)."""
    chunks, start, acc = [], 0, 0
    for i, c in enumerate(day_counts):
        acc += int(c)
        if acc >= target:
            chunks.append((start, i + 1))
            start, acc = i + 1, 0
    if start < len(day_counts):
        chunks.append((start, len(day_counts)))
    return chunks


def daily_counts(total: int, first_day: int, last_day: int, rng: np.random.Generator) -> np.ndarray:
    """Cases received per day: growing adoption over the years, fewer on weekends."""
    days = np.arange(first_day, last_day + 1)
    x = (days - first_day) / max(1, last_day - first_day)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    weights = np.exp(1.2 * x) * np.where(weekday >= 5, 0.7, 1.0)
    return rng.multinomial(total, weights / weights.sum())


class Calendar:
    """Working days as arrays, so "n working days later" is two array lookups for a million cases."""

    def __init__(self, first_day: int, last_day: int):
        from datetime import date, timedelta

        from muling.cases.deadlines import is_working_day

        self.base = first_day
        epoch = date(1970, 1, 1)
        work = np.array(
            [
                is_working_day(epoch + timedelta(days=int(d)), overrides={})
                for d in range(first_day, last_day + 1)
            ]
        )
        self.count = np.cumsum(work)  # working days up to and including each day
        self.work_days = np.flatnonzero(work) + first_day

    def add(self, ts: np.ndarray, days: np.ndarray, working: np.ndarray) -> np.ndarray:
        """deadlines.add_days: the same local time `days` (working) days later."""
        local = ts + TZ
        day = local // DAY
        tod = local % DAY
        k = self.count[day - self.base]
        target = self.work_days[np.minimum(k + days - 1, len(self.work_days) - 1)]
        wd = target * DAY + tod - TZ
        return np.where(working, wd, ts + days * DAY)


class Context:
    """What every chunk needs, built once in the parent before the workers fork."""

    def __init__(self, plan, categories: list[dict], now: int, calendar: Calendar):
        self.plan, self.now, self.cal = plan, now, calendar
        self.cats = categories
        codes = [c["code"] for c in categories]
        w = np.array([CATEGORY_WEIGHTS.get(c, 3) for c in codes], float)
        self.cat_p = w / w.sum()
        self.cat_id = np.array([c["id"] for c in categories])
        self.cat_dispatch_h = np.array([c["dispatch_hours"] for c in categories])
        self.cat_days = np.array([c["resolve_days"] for c in categories])
        self.cat_working = np.array([c["working_days"] for c in categories])
        cw = np.array(list(CHANNEL_WEIGHTS.values()), float)
        self.ch_p = cw / cw.sum()
        self.home_channel = np.array([c in HOME_CHANNELS for c in CHANNELS])
        # Case texts: the demo's sentences per category, one pool.
        texts, start, count = [], [], []
        for c in codes:
            options = TEXTS.get(c) or ["希望有关部门尽快处理"]
            start.append(len(texts))
            count.append(len(options))
            texts.extend(options)
        self.text_pool = T.Pool(texts)
        self.text_start, self.text_count = np.array(start), np.array(count)
        # Routes per (grid, category): owner department (0 = none), owner person (0 = none), queue.
        ng, nc = len(plan.grids), len(categories)
        self.route_dept = np.zeros((ng, nc), np.int64)
        self.route_person = np.zeros((ng, nc), np.int64)
        self.route_queue = np.zeros((ng, nc), bool)
        for j, c in enumerate(categories):
            for gi in range(ng):
                district, community = int(plan.grid_district[gi]), int(plan.grid_community[gi])
                dept = 0
                kind = c["handler_kind"]
                if kind == "utility":
                    dept = plan.utility_dept.get((district, c["utility"]), 0)
                elif kind == "property":
                    dept = plan.property_dept.get(community, 0)
                elif kind == "functional":
                    dept = plan.functional_dept.get(district, 0)
                if dept:
                    self.route_dept[gi, j] = dept
                elif kind == "grid" and c["grid_admitted"]:
                    self.route_person[gi, j] = plan.grid_worker[gi]
                else:
                    self.route_queue[gi, j] = True
        # Owners up the ladder: the area (index) and secretary of each case level above the grid.
        self.ladder_area = np.stack(
            [plan.grids, plan.grid_community, plan.grid_street, plan.grid_district, plan.grid_district],
            axis=1,
        )
        self.grid_activity = plan.grid_hh_count * np.random.default_rng([plan.seed, 3]).lognormal(0, 0.45, ng)
        self.grid_p = self.grid_activity / self.grid_activity.sum()
        self.area_path = T.Pool(plan.path)
        self.full_name = T.Pool(plan.full_name)
        self.grid_lat = np.array([plan.lat[g] for g in plan.grids], float)
        self.grid_lon = np.array([plan.lon[g] for g in plan.grids], float)
        self.names = name_pool(plan.seed)
        self.kind_pool = T.Pool([str(k) for k in SLOT_KIND])
        self.status_pool = T.Pool(STATUSES)
        self.channel_pool = T.Pool(CHANNELS)
        self.created_data = T.Pool([f'{{"channel": "{c}"}}' for c in CHANNELS])
        self.json = T.Pool(
            [
                "{}",
                '{"auto": true}',
                '{"unrated": true}',
                '{"satisfaction": "satisfied"}',
                '{"satisfaction": "basically"}',
                '{"satisfaction": "unsatisfied"}',
                '{"from": 1, "to": 2, "reason": "overdue"}',
                '{"from": 2, "to": 3, "reason": "overdue"}',
                '{"from": 3, "to": 4, "reason": "overdue"}',
            ]
        )
        self.results = T.Pool(RESULTS)
        self.rejects = T.Pool(REJECT_REASONS)
        self.ext_reasons = T.Pool(EXT_REASONS)
        self.sat_pool = T.Pool(["", "satisfied", "basically", "unsatisfied"])
        # SubtreeRollup (if the project has it): each area's ancestor at depths 1 … max, -1 above it.
        from muling.stats import rollups

        self.subtree_depth = getattr(rollups, "SUBTREE_MAX_DEPTH", 0)
        depth = np.array([len(p) // 4 for p in plan.path])
        self.ancestor = np.full((self.subtree_depth + 1, plan.n_areas), -1, np.int64)
        for i in range(plan.n_areas):
            a = i
            while a >= 0:
                if depth[a] <= self.subtree_depth:
                    self.ancestor[depth[a], i] = a
                a = plan.parent[a]
        self.small = T.SmallInts(max(plan.n_areas, plan.staff_count, len(plan.departments), 10_000) + 2)
        self.slot2 = T.Pool([f"{i:02d}" for i in range(K)])


def name_pool(seed: int) -> tuple[T.Pool, T.Pool]:
    """Surnames (by frequency) and given names: a person's name is one of each."""
    surnames = (
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
        "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    )
    chars = (
        "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰玉华建国文斌志红梅海燕波宁辉鹏晓东雪琳颖浩宇欣怡子涵"
        "佳俊博嘉雨晨思源瑞泽梓萱诗雅一鸣家豪永庆德福秀珍淑贞凤英宏亮春生建华卫东立新国强金凤"
    )
    rng = np.random.default_rng([seed, 5])
    given = set()
    while len(given) < 3000:
        n = 1 if rng.random() < 0.25 else 2
        given.add("".join(chars[int(i)] for i in rng.integers(len(chars), size=n)))
    return T.Pool(list(surnames)), T.Pool(sorted(given))


def pick_names(ctx: Context, rng, n: int) -> tuple[T.Ragged, T.Ragged]:
    surnames, given = ctx.names
    s = np.minimum(rng.zipf(1.3, n) - 1, surnames.size - 1)
    return surnames.pick(s), given.pick(rng.integers(given.size, size=n))


def phones(rng, n: int) -> np.ndarray:
    prefixes = np.array(
        [
            130,
            131,
            132,
            133,
            135,
            136,
            137,
            138,
            139,
            150,
            151,
            152,
            155,
            157,
            158,
            159,
            166,
            176,
            177,
            180,
            181,
            182,
            183,
            185,
            186,
            187,
            188,
            189,
            191,
            199,
        ]
    )
    return rng.choice(prefixes, n) * 10**8 + rng.integers(0, 10**8, n)


def generate_chunk(ctx: Context, chunk: int, days: np.ndarray, counts: np.ndarray, first_id: int):
    """(case block, event block, extension block, rollup block, stats) for the cases of these days."""
    plan, now, cal = ctx.plan, ctx.now, ctx.cal
    rng = np.random.default_rng([plan.seed, 7, chunk])
    n = int(counts.sum())
    ids = first_id + np.arange(n, dtype=np.int64)
    day = np.repeat(days, counts)
    # Time of day: office hours peak; today's cases only up to now.
    hour = rng.choice(24, n, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    tod = hour * 3600 + rng.integers(0, 3600, n)
    today = (now + TZ) // DAY
    is_today = day == today
    tod = np.where(is_today, (tod * (((now + TZ) % DAY) / DAY)).astype(np.int64), tod)
    t0 = np.sort(day * DAY + tod - TZ)  # ids follow submission time, as the app's sequence does
    day = (t0 + TZ) // DAY

    gi = rng.choice(len(plan.grids), n, p=ctx.grid_p)
    cat = rng.choice(len(ctx.cats), n, p=ctx.cat_p)
    ch = rng.choice(len(CHANNELS), n, p=ctx.ch_p)
    at_home = ctx.home_channel[ch] & (rng.random(n) < 0.5)
    hh = plan.grid_hh_start[gi] + (rng.random(n) * plan.grid_hh_count[gi]).astype(np.int64)
    area = np.where(at_home, plan.hh_building[hh], plan.grids[gi])
    grid_area = plan.grids[gi]

    dept0 = ctx.route_dept[gi, cat]
    person0 = ctx.route_person[gi, cat]
    queue = ctx.route_queue[gi, cat]
    auto = ~queue  # a person or a department owns it at once: dispatched automatically
    level0 = np.where(queue, 2, 1)
    days_n = ctx.cat_days[cat]
    working = ctx.cat_working[cat]
    dispatch_dl = t0 + ctx.cat_dispatch_h[cat] * 3600
    dl0 = cal.add(t0, days_n, working)

    # --- the planned life of every case ---------------------------------------------------------
    TT = np.zeros((n, K), np.int64)
    P = np.zeros((n, K), bool)
    TT[:, CREATED] = t0
    P[:, CREATED] = True
    TT[:, DISPATCHED] = t0
    P[:, DISPATCHED] = auto
    window = dl0 - t0
    resp = np.exp(rng.normal(np.log(ctx.cat_dispatch_h[cat] * 3600 * 0.35), 1.0)).astype(np.int64)
    resp = np.clip(resp, 60, window // 2)
    rejected = rng.random(n) < 0.02
    TT[:, REJECTED] = t0 + resp
    P[:, REJECTED] = rejected
    normal = ~rejected
    urged = (resp > 7200) & (rng.random(n) < 0.15)
    TT[:, URGED] = t0 + resp * 6 // 10
    P[:, URGED] = urged
    TT[:, ACC1] = t0 + resp
    P[:, ACC1] = normal
    r = rng.random(n)
    late = normal & (r < 0.08)
    extended = normal & ~late & (r > 0.98)
    ext_days = rng.choice([3, 5, 7], n)
    TT[:, EXT_REQ] = TT[:, ACC1] + (dl0 - TT[:, ACC1]) * 6 // 10
    TT[:, EXT_OK] = TT[:, EXT_REQ] + np.minimum(7200, (dl0 - TT[:, EXT_REQ]) // 2)
    P[:, EXT_REQ] = P[:, EXT_OK] = extended
    dl_ext = cal.add(dl0, ext_days, working)
    # Missed deadline: the sweep (every quarter hour) escalates; the next level accepts and handles.
    e1 = dl0 + rng.integers(30, 900, n)
    dl1 = cal.add(e1, days_n, working)
    late2 = late & (rng.random(n) < 0.15) & (level0 == 1)
    e2 = dl1 + rng.integers(30, 900, n)
    dl2 = cal.add(e2, days_n, working)
    TT[:, ESC1] = e1
    TT[:, ACC2] = e1 + np.clip((dl1 - e1) // 20, 60, None)
    TT[:, ESC2] = e2
    TT[:, ACC3] = e2 + np.clip((dl2 - e2) // 20, 60, None)
    P[:, ESC1] = P[:, ACC2] = late
    P[:, ESC2] = P[:, ACC3] = late2
    dl_final = np.select([late2, late, extended], [dl2, dl1, dl_ext], dl0)
    last_acc = np.select([late2, late], [TT[:, ACC3], TT[:, ACC2]], TT[:, ACC1])
    frac = rng.beta(2.2, 1.6, n) * 0.97
    work_from = np.where(extended, TT[:, EXT_OK], last_acc)  # an extension is asked for before the end
    t_res = work_from + ((dl_final - work_from) * frac).astype(np.int64) + 60
    TT[:, RESOLVED1] = t_res
    P[:, RESOLVED1] = normal
    # Rating: most residents rate within a day or two; some are unhappy once (返工), some never rate.
    u = rng.random(n)
    reopen = normal & (u < 0.05)
    unrated = normal & (u > 0.80)
    rate_delay = np.clip(np.exp(rng.normal(np.log(20 * 3600), 1.0)), 600, 6 * DAY).astype(np.int64)
    TT[:, RATED_BAD] = t_res + rate_delay
    TT[:, REOPENED] = TT[:, RATED_BAD]
    TT[:, RESOLVED2] = TT[:, REOPENED] + rng.integers(2 * 3600, 2 * DAY, n)
    P[:, RATED_BAD] = P[:, REOPENED] = P[:, RESOLVED2] = reopen
    last_res = np.where(reopen, TT[:, RESOLVED2], t_res)
    rate2 = np.clip(np.exp(rng.normal(np.log(16 * 3600), 1.0)), 300, 6 * DAY).astype(np.int64)
    TT[:, RATED] = last_res + rate2
    P[:, RATED] = normal & ~unrated
    sat = np.where(rng.random(n) < 0.85, 1, 2)  # satisfied / basically (pool indexes 1, 2)
    TT[:, CLOSED] = np.where(unrated, last_res + 7 * DAY + rng.integers(60, 900, n), TT[:, RATED])
    P[:, CLOSED] = normal

    # --- cut at now; the escalation sweep stopped `sweep_gap_h` ago (its work is left to do) -------
    sweep_stop = now - int(plan.sweep_gap_h * 3600)
    cut = np.full(n, now, np.int64)
    cut = np.where(late & (e1 > sweep_stop), np.minimum(cut, e1 - 1), cut)
    cut = np.where(late2 & (e2 > sweep_stop), np.minimum(cut, e2 - 1), cut)
    keep = P & (TT <= cut[:, None])
    last = K - 1 - np.argmax(keep[:, ::-1], axis=1)
    k = keep  # short alias for the column tests below
    cur = np.where(auto, S["dispatched"], S["submitted"])
    status = np.array(SLOT_TO)[last]
    status = np.where(status == CUR, cur, status)
    stage = k[:, ESC1].astype(np.int64) + k[:, ESC2]
    level = level0 + stage
    # Owner at each stage: the route's owner, then the secretary's queue one level up per escalation.
    ladder = ctx.ladder_area[gi]
    owner_area = np.where(
        stage == 0, np.where(queue, ladder[:, 1], grid_area), ladder[np.arange(n), level - 1]
    )
    sec_area0 = ladder[:, 1]  # community
    owner_person = np.where(stage == 0, person0, plan.secretary[owner_area])
    owner_person = np.where(queue & (stage == 0) & k[:, ACC1], plan.secretary[sec_area0], owner_person)
    owner_dept = np.where(stage == 0, dept0, 0)
    deadline = np.select([stage == 2, stage == 1, k[:, EXT_OK]], [dl2, dl1, dl_ext], dl0)
    acc_slot = np.array([ACC1, ACC2, ACC3])[stage]
    accepted_at = TT[np.arange(n), acc_slot]
    has_acc = k[np.arange(n), acc_slot]
    resolved_at = np.where(k[:, RESOLVED2], TT[:, RESOLVED2], TT[:, RESOLVED1])
    has_res = k[:, RESOLVED1]
    closed_at = np.where(k[:, REJECTED], TT[:, REJECTED], TT[:, CLOSED])
    has_closed = k[:, REJECTED] | k[:, CLOSED]
    satisfaction = np.where(k[:, RATED], sat, np.where(k[:, RATED_BAD], 3, 0))
    updated = TT[np.arange(n), last]

    # --- the case rows ------------------------------------------------------------------------------
    local_date = (t0 + TZ) // DAY
    b = T.Block(n)
    b.add("id", T.ints(ids))
    b.add(
        "number", T.compact_dates(local_date), T.ints(ids, min_width=6)
    )  # YYYYMMDD + id, as the app numbers
    text_idx = ctx.text_start[cat] + (rng.random(n) * ctx.text_count[cat]).astype(np.int64)
    b.add("text", ctx.text_pool.pick(text_idx))
    b.add("category_id", ctx.small(ctx.cat_id[cat]))
    b.add("channel", ctx.channel_pool.pick(ch))
    b.add("status", ctx.status_pool.pick(status))
    b.add("level", ctx.small(level))
    b.add("reporter_id", T.const(T.NULL, n))
    sur, given = pick_names(ctx, rng, n)
    b.add("contact_name", sur, given)
    b.add("contact_phone", T.ints(phones(rng, n)))
    b.add("hide_name", T.bools(np.ones(n, bool)))
    b.add("is_public", T.bools(rng.random(n) < 0.9))
    b.add("area_id", ctx.small(area + 1))
    b.add("area_path", ctx.area_path.pick(area))
    b.add("grid_id", ctx.small(grid_area + 1))
    b.add("household_id", T.ints(hh + 1).nulls(~at_home))
    b.add("lat", T.decimals(ctx.grid_lat[gi] + rng.normal(0, 0.002, n), 2))
    b.add("lon", T.decimals(ctx.grid_lon[gi] + rng.normal(0, 0.002, n), 3))
    b.add("address", ctx.full_name.pick(area))
    b.add("owner_area_id", ctx.small(owner_area + 1))
    b.add("owner_person_id", ctx.small(owner_person).nulls(owner_person == 0))
    b.add("owner_department_id", ctx.small(owner_dept).nulls(owner_dept == 0))
    b.add("created_at", T.timestamps(t0))
    b.add("updated_at", T.timestamps(updated))
    b.add("dispatch_deadline", T.timestamps(dispatch_dl))
    b.add("deadline", T.timestamps(deadline))
    b.add("accepted_at", T.timestamps(accepted_at).nulls(~has_acc))
    b.add("resolved_at", T.timestamps(resolved_at).nulls(~has_res))
    b.add("closed_at", T.timestamps(closed_at).nulls(~has_closed))
    res_idx = rng.integers(ctx.results.size, size=n)
    b.add("result", ctx.results.pick(res_idx).where(~has_res, T.const("", n)))
    b.add("reject_reason", ctx.rejects.pick(ids % ctx.rejects.size).where(~k[:, REJECTED], T.const("", n)))
    b.add("satisfaction", ctx.sat_pool.pick(satisfaction))
    b.add("rating_comment", T.const("", n))
    b.add("duplicate_of_id", T.const(T.NULL, n))
    b.add("urge_count", ctx.small(k[:, URGED]))
    b.add("escalation_count", ctx.small(stage))
    b.add("reopen_count", ctx.small(k[:, REOPENED]))
    b.add("me_too_count", T.const("0", n))
    b.add("extended", T.bools(k[:, EXT_OK]))
    b.add("answers", T.const("{}", n))
    hotline = np.array(CHANNELS)[ch] == Channel.HOTLINE
    b.add(
        "external_id",
        T.const("RX", n).where(~hotline, T.const("", n)),
        T.ints(ids).where(~hotline, T.const("", n)),
    )
    b.add("idempotency_key", T.const(T.NULL, n))
    cases = b

    # --- events -------------------------------------------------------------------------------------
    ci, si = np.nonzero(keep)
    m = len(ci)
    ev_stage = ((si >= ESC1) & k[ci, ESC1]).astype(np.int64) + ((si >= ESC2) & k[ci, ESC2])
    ev_level = level0[ci] + ev_stage
    ev_area = np.where(
        ev_stage == 0, np.where(queue[ci], ladder[ci, 1], grid_area[ci]), ladder[ci, ev_level - 1]
    )
    ev_person = np.where(ev_stage == 0, person0[ci], plan.secretary[ev_area])
    ev_person = np.where(queue[ci] & (ev_stage == 0) & (si >= ACC1), plan.secretary[sec_area0[ci]], ev_person)
    ev_dept = np.where(ev_stage == 0, dept0[ci], 0)
    frm = np.array(SLOT_FROM)[si]
    frm = np.where(frm == CUR, cur[ci], frm)
    to = np.array(SLOT_TO)[si]
    to = np.where(to == CUR, cur[ci], to)
    # data: pool index per slot, with the per-case variants
    data_idx = np.zeros(m, np.int64)
    data_idx[si == DISPATCHED] = 1
    closed_ev = si == CLOSED
    data_idx[closed_ev & unrated[ci]] = 2
    data_idx[si == RATED] = sat[ci[si == RATED]] + 2
    data_idx[si == RATED_BAD] = 5
    esc = (si == ESC1) | (si == ESC2)
    data_idx[esc] = 5 + (ev_level[esc] - 1)  # escalated *to* ev_level: from = ev_level - 1
    data = ctx.json.pick(data_idx).where(si == CREATED, ctx.created_data.pick(ch[ci]))
    ext_ev = (si == EXT_REQ) | (si == EXT_OK)
    if ext_ev.any():
        rows = [
            f'{{"days": {int(d)}, "request": {int(r)}}}'
            for d, r in zip(ext_days[ci[ext_ev]], ids[ci[ext_ev]], strict=True)
        ]
        extra = T.strings(rows)
        full = T.Ragged(extra.blob, np.zeros(m, np.int64), np.zeros(m, np.int64))
        full.starts[ext_ev], full.lens[ext_ev] = extra.starts, extra.lens
        data = data.where(ext_ev, full)
    note = T.const("", m)
    res_ev = (si == RESOLVED1) | (si == RESOLVED2)
    note = note.where(res_ev, ctx.results.pick(res_idx[ci]))
    note = note.where(si == REJECTED, ctx.rejects.pick(ids[ci] % ctx.rejects.size))
    note = note.where(si == EXT_REQ, ctx.ext_reasons.pick(ids[ci] % ctx.ext_reasons.size))
    e = T.Block(m)
    case_text = T.ints(ids)
    e.add("id", case_text.take(ci), ctx.slot2.pick(si))
    e.add("case_id", case_text.take(ci))
    e.add("kind", ctx.kind_pool.pick(si))
    e.add("actor_id", T.const(T.NULL, m))
    e.add("at", T.timestamps(TT[ci, si]))
    e.add("from_status", ctx.status_pool.pick(frm))
    e.add("to_status", ctx.status_pool.pick(to))
    e.add("level", ctx.small(ev_level))
    e.add("owner_area_id", ctx.small(ev_area + 1))
    e.add("owner_person_id", ctx.small(ev_person).nulls(ev_person == 0))
    e.add("owner_department_id", ctx.small(ev_dept).nulls(ev_dept == 0))
    e.add("note", note)
    e.add("data", data)
    events = e

    # --- extension requests (id = case id: at most one per case) ------------------------------------
    xi = np.flatnonzero(k[:, EXT_REQ])
    x = T.Block(len(xi))
    if len(xi):
        decided = k[xi, EXT_OK]
        x.add("id", T.ints(ids[xi]))
        x.add("case_id", T.ints(ids[xi]))
        x.add("requested_by_id", T.const(T.NULL, len(xi)))
        x.add("requested_at", T.timestamps(TT[xi, EXT_REQ]))
        x.add("days", T.ints(ext_days[xi]))
        x.add("reason", ctx.ext_reasons.pick(ids[xi] % ctx.ext_reasons.size))
        x.add("state", T.const("approved", len(xi)).where(~decided, T.const("pending", len(xi))))
        x.add("decided_by_id", T.const(T.NULL, len(xi)))
        x.add("decided_at", T.timestamps(TT[xi, EXT_OK]).nulls(~decided))

    # --- rollups: facts.case_counters, vectorised ------------------------------------------------------
    cnt = {}
    is_rej = status == S["rejected"]
    responded = k[:, ACC1]
    resp_s = np.maximum(0, TT[:, ACC1] - t0)
    final_res = status_in(status, "resolved", "closed") & has_res
    res_s = np.maximum(0, resolved_at - t0)
    is_closed = status == S["closed"]
    rating = np.where(k[:, RATED], sat, np.where(k[:, RATED_BAD], 3, 0))
    cnt["received"] = np.ones(n, np.int64)
    cnt["dispatched"] = k[:, DISPATCHED]
    cnt["rejected"] = is_rej
    cnt["valid"] = ~is_rej
    cnt["due_respond"] = responded | ~is_rej
    cnt["responded"] = responded
    cnt["responded_on_time"] = responded & (TT[:, ACC1] <= dispatch_dl)
    cnt["respond_seconds"] = np.where(responded, resp_s, 0)
    cnt["resolved_reported"] = final_res
    cnt["resolved_confirmed"] = is_closed & ~(k[:, CLOSED] & unrated)
    cnt["resolve_seconds"] = np.where(final_res, res_s, 0)
    cnt["closed"] = is_closed
    cnt["closed_on_time"] = is_closed & has_res & (resolved_at <= deadline)
    cnt["handled"] = has_res
    cnt["reopened"] = k[:, REOPENED]
    cnt["extended"] = k[:, EXT_OK]
    cnt["rated"] = rating > 0
    cnt["satisfied"] = rating == 1
    cnt["basically"] = rating == 2
    cnt["unsatisfied"] = rating == 3
    cnt["escalated"] = k[:, ESC1]
    for lv in (2, 3, 4):
        cnt[f"escalations_l{lv}"] = (k[:, ESC1] & (level0 + 1 == lv)).astype(np.int64) + (
            k[:, ESC2] & (level0 + 2 == lv)
        )
    rb = np.searchsorted(np.array(RESPOND_BUCKETS[:-1]), resp_s, side="left")
    for i in range(len(RESPOND_BUCKETS)):
        cnt[f"respond_h{i}"] = responded & (rb == i)
    sb = np.searchsorted(np.array(RESOLVE_BUCKETS[:-1]), res_s, side="left")
    for i in range(len(RESOLVE_BUCKETS)):
        cnt[f"resolve_h{i}"] = final_res & (sb == i)
    M = np.stack([np.asarray(cnt.get(c, np.zeros(n)), np.int64) for c in ALL_COUNTERS], axis=1)
    nch = len(CHANNELS)
    key = ((local_date - local_date.min()) * plan.n_areas + area) * len(ctx.cats) * nch + cat * nch + ch
    order = np.argsort(key, kind="stable")
    sk = key[order]
    starts = np.flatnonzero(np.concatenate([[True], sk[1:] != sk[:-1]]))
    sums = np.add.reduceat(M[order], starts, axis=0)
    first = order[starts]
    r = T.Block(len(first))
    r.add("id", T.ints(first_id + np.arange(len(first))))  # ≤ one rollup row per case of the chunk
    r.add("day", T.dates(local_date[first]))
    r.add("area_id", ctx.small(area[first] + 1))
    r.add("area_path", ctx.area_path.pick(area[first]))
    r.add("category_id", ctx.small(ctx.cat_id[cat[first]]))
    r.add("channel", ctx.channel_pool.pick(ch[first]))
    for j, c in enumerate(ALL_COUNTERS):
        r.add(c, ctx.small(sums[:, j]))
    subtree = subtree_block(ctx, local_date[first], area[first], cat[first], ch[first], sums, first_id)
    open_ = np.isin(status, OPEN)
    stats = {
        "cases": n,
        "events": m,
        "extension_requests": len(xi),
        "rollups": len(first),
        "subtree_rollups": subtree.n if subtree is not None else 0,
        "open_cases": int(open_.sum()),
        "overdue_cases": int((open_ & (deadline < now) & (level < 4)).sum()),
    }
    return cases, events, x, r, subtree, stats


def subtree_block(ctx: Context, day, area, cat, ch, sums, first_id: int):
    """SubtreeRollup rows: the chunk's DailyRollup rows summed per ancestor (city … community), as
    rollups.rebuild_subtrees does in SQL. Chunks hold whole days, so no key spans two chunks."""
    if not ctx.subtree_depth:
        return None
    nch, ncat = len(CHANNELS), len(ctx.cats)
    parts = []
    for depth in range(1, ctx.subtree_depth + 1):
        anc = ctx.ancestor[depth, area]
        ok = anc >= 0
        key = (((day[ok] - day.min()) * ctx.plan.n_areas + anc[ok]) * ncat + cat[ok]) * nch + ch[ok]
        order = np.argsort(key, kind="stable")
        sk = key[order]
        starts = np.flatnonzero(np.concatenate([[True], sk[1:] != sk[:-1]]))
        rows = np.flatnonzero(ok)[order[starts]]
        parts.append((depth, rows, anc[ok][order[starts]], np.add.reduceat(sums[ok][order], starts, axis=0)))
    n = sum(len(p[1]) for p in parts)
    depth = np.concatenate([np.full(len(p[1]), p[0]) for p in parts])
    rows = np.concatenate([p[1] for p in parts])
    anc = np.concatenate([p[2] for p in parts])
    total = np.concatenate([p[3] for p in parts])
    b = T.Block(n)
    b.add("id", T.ints(ctx.subtree_depth * (first_id - 1) + 1 + np.arange(n)))
    b.add("day", T.dates(day[rows]))
    b.add("depth", ctx.small(depth))
    b.add("area_path", ctx.area_path.pick(anc))
    b.add("category_id", ctx.small(ctx.cat_id[cat[rows]]))
    b.add("channel", ctx.channel_pool.pick(ch[rows]))
    for j, c in enumerate(ALL_COUNTERS):
        b.add(c, ctx.small(total[:, j]))
    return b


def status_in(status: np.ndarray, *names: str) -> np.ndarray:
    return np.isin(status, [S[s] for s in names])
