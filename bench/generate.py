"""Write a Jining-scale data set straight into PostgreSQL (issue #6: performance).

    .venv/bin/python -m bench.generate --size small \
        --database-url postgres://postgres@127.0.0.1:5432/muling_bench [--drop] [--seed N]

Creates the database (or, with --drop, recreates it), migrates it, COPYs areas, departments, staff,
households, residents, cases with their timelines and the statistics rollups, then creates a handful
of real logins through the services and writes var/bench/<dbname>.json (see GENERATOR.md).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path

import numpy as np

DEFAULT_SEED = 370800
PASSWORD = "Bench-muling-2026"
ROOT = Path(__file__).resolve().parent.parent

_CTX = None  # the generation context, inherited by the forked workers
_CONN = None  # each worker's own connection


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", choices=["tiny", "small", "medium", "full"], default="small")
    p.add_argument("--database-url", required=True)
    p.add_argument("--drop", action="store_true", help="drop the database first if it exists")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument(
        "--now",
        help="reference time (ISO 8601, default: now, to the minute); same seed + size + now = same data",
    )
    p.add_argument("--manifest", help="where to write the manifest (default var/bench/<dbname>.json)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    return p.parse_args(argv)


class Phases:
    def __init__(self):
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str):
        start = time.monotonic()
        yield
        self.seconds[name] = round(time.monotonic() - start, 1)
        print(f"[{name}] {self.seconds[name]} s", file=sys.stderr, flush=True)


def main(argv=None) -> dict:
    args = parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "muling.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from . import gen_db

    phases = Phases()
    started = time.monotonic()
    now = parse_now(args.now)
    with phases("create_and_migrate"):
        gen_db.create_database(args.database_url, drop=args.drop)
        call_command("migrate", verbosity=0)
    with phases("plan"):
        ctx, day_counts, days = build_context(args, now)
    tables = bulk_tables()
    with gen_db.connect(args.database_url) as conn:
        schema = gen_db.Schema(conn, list(tables.values()))
        schema.drop(conn)
        with phases("reference_rows"):
            counts = load_reference(conn, ctx, tables)
    connections.close_all()
    with phases("bulk_copy"):
        counts.update(load_bulk(args, ctx, tables, day_counts, days))
    if "subtree_rollups" in tables and not counts.get("subtree_rollups"):
        with phases("derived_rollups"):
            derive_rollups()
    with phases("indexes_and_constraints"):
        bar = progress_bar(args, "indexes", len(schema.keys) + len(schema.indexes) + len(schema.fks), "")
        schema.restore(args.database_url, table_sizes(counts, tables), bar)
        bar.close()
    with phases("analyze"):
        gen_db.run_parallel(args.database_url, [f'ANALYZE "{t}"' for t in tables.values()])
        with gen_db.connect(args.database_url) as conn:
            gen_db.set_sequences(conn, list(tables.values()))
    with phases("actors"):
        actors, areas = create_actors(ctx)
    phases.seconds["total"] = round(time.monotonic() - started, 1)
    # CPU used by the generator's own processes (not PostgreSQL's): on a shared machine the wall-clock
    # phases say as much about the neighbours as about the generator.
    import resource

    cpu = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    phases.seconds["generator_cpu"] = round(sum(r.ru_utime + r.ru_stime for r in cpu), 1)
    manifest = {
        "size": args.size,
        "seed": args.seed,
        "now": now_iso(now),
        "database": gen_db.db_name(args.database_url),
        "seconds": phases.seconds,
        "counts": final_counts(),
        "database_bytes": database_bytes(),
        "actors": actors,
        "areas": areas,
    }
    path = Path(args.manifest) if args.manifest else ROOT / "var" / "bench" / f"{manifest['database']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    print(f"manifest: {path}", file=sys.stderr)
    return manifest


def parse_now(value: str | None) -> int:
    from datetime import datetime

    if value:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return int(moment.timestamp())
    return int(time.time()) // 60 * 60


def now_iso(now: int) -> str:
    from datetime import datetime

    return datetime.fromtimestamp(now, tz=UTC).isoformat()


def progress_bar(args, desc: str, total: int, unit: str = "rows"):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, unit_scale=True, disable=args.quiet, file=sys.stderr)


def bulk_tables() -> dict[str, str]:
    from muling.cases.models import Case, CaseEvent, ExtensionRequest
    from muling.people.models import Department, Person, Post
    from muling.places.models import Area, Household, PartyOrganisation
    from muling.stats.models import DailyRollup

    models = {
        "areas": Area,
        "party_orgs": PartyOrganisation,
        "departments": Department,
        "persons": Person,
        "posts": Post,
        "households": Household,
        "cases": Case,
        "events": CaseEvent,
        "extension_requests": ExtensionRequest,
        "rollups": DailyRollup,
    }
    # Tables derived from DailyRollup by the project's own SQL (see derive_rollups), when it has them.
    from muling.stats import models as stats_models

    subtree = getattr(stats_models, "SubtreeRollup", None)
    if subtree is not None:
        models["subtree_rollups"] = subtree
    return {k: m._meta.db_table for k, m in models.items()}


def table_sizes(counts: dict, tables: dict) -> dict[str, int]:
    return {table: counts.get(key, 0) for key, table in tables.items()}


def build_context(args, now: int):
    from muling.cases.models import Category

    from .gen_cases import DAY, TZ, Calendar, Context, daily_counts
    from .gen_plan import build_plan

    plan = build_plan(args.size, args.seed)
    categories = list(
        Category.objects.filter(is_active=True)
        .order_by("order", "code")
        .values(
            "id",
            "code",
            "dispatch_hours",
            "resolve_days",
            "working_days",
            "handler_kind",
            "utility",
            "grid_admitted",
        )
    )
    last_day = (now + TZ) // DAY
    first_day = last_day - int(plan.years * 365) + 1
    calendar = Calendar(first_day - 5, last_day + 400)
    ctx = Context(plan, categories, now, calendar)
    rng = np.random.default_rng([args.seed, 2])
    days = np.arange(first_day, last_day + 1)
    counts = daily_counts(plan.cases, first_day, last_day, rng)
    return ctx, counts, days


def load_reference(conn, ctx, tables) -> dict[str, int]:
    """Areas, party organisations, departments, staff and their posts: small, written from the parent."""
    from . import gen_db
    from . import gen_text as T
    from .gen_cases import DAY, phones, pick_names
    from .gen_plan import party_orgs

    plan = ctx.plan
    n = plan.n_areas
    a = T.Block(n)
    a.add("id", T.ints(np.arange(1, n + 1)))
    a.add("path", T.strings(plan.path))
    a.add("depth", T.ints(np.array([len(p) // 4 for p in plan.path])))
    a.add("numchild", T.ints(np.array(plan.numchild)))
    a.add("code", T.strings(plan.code))
    a.add("name", T.strings(plan.name))
    a.add("level", T.ints(plan.level_arr))
    a.add(
        "address", T.strings(["山东省" + ("济宁市 " + f if i else f) for i, f in enumerate(plan.full_name)])
    )
    a.add("polygon", T.const(T.NULL, n))
    has_c = np.array([x is not None for x in plan.lat])
    lat = np.array([x or 0 for x in plan.lat], float)
    lon = np.array([x or 0 for x in plan.lon], float)
    a.add("centroid_lat", T.decimals(lat, 2).nulls(~has_c))
    a.add("centroid_lon", T.decimals(lon, 3).nulls(~has_c))
    planned = np.array([x or 0 for x in plan.households_planned])
    a.add("households_planned", T.ints(planned).nulls(planned == 0))
    gen_db.copy(conn, tables["areas"], a.columns, a.to_bytes())

    orgs = party_orgs(plan)
    o = T.Block(len(orgs))
    o.add("id", T.ints(np.arange(1, len(orgs) + 1)))
    o.add("area_id", T.ints(np.array([x[0] + 1 for x in orgs])))
    o.add("kind", T.strings([x[1] for x in orgs]))
    o.add("name", T.strings([x[2] for x in orgs]))
    gen_db.copy(conn, tables["party_orgs"], o.columns, o.to_bytes())

    depts = plan.departments
    rng = np.random.default_rng([plan.seed, 13])
    d = T.Block(len(depts))
    d.add("id", T.ints(np.arange(1, len(depts) + 1)))
    d.add("code", T.strings([x[0] for x in depts]))
    d.add("name", T.strings([x[1] for x in depts]))
    d.add("kind", T.strings([x[2] for x in depts]))
    d.add("utility", T.strings([x[3] for x in depts]))
    d.add("area_id", T.ints(np.array([x[4] + 1 for x in depts])))
    d.add("phone", T.strings([f"0537-{int(v):07d}" for v in rng.integers(2000000, 8999999, len(depts))]))
    gen_db.copy(conn, tables["departments"], d.columns, d.to_bytes())

    m = plan.staff_count
    p = T.Block(m)
    p.add("id", T.ints(np.arange(1, m + 1)))
    sur, given = pick_names(ctx, rng, m)
    p.add("name", sur, given)
    p.add("gender", T.strings([g for _a, g in plan.staff]))
    ages = np.array([a_ for a_, _g in plan.staff])
    p.add("birth_date", T.dates(ctx.now // DAY - ages * 365 - rng.integers(0, 365, m)))
    p.add("phone", T.ints(phones(rng, m)))
    p.add("id_number_encrypted", T.const("", m))
    p.add("id_number_hash", T.const("", m))
    p.add("household_id", T.const(T.NULL, m))
    for tag in ("is_elderly", "lives_alone", "is_disabled", "is_infant"):
        p.add(tag, T.const("f", m))
    p.add("is_party_member", T.bools(rng.random(m) < 0.8))
    p.add("reports_to_community_id", T.const(T.NULL, m))
    p.add("new_employment", T.const("", m))
    p.add("created_at", T.timestamps(np.full(m, ctx.now - 400 * DAY)))
    gen_db.copy(conn, tables["persons"], p.columns, p.to_bytes())

    posts = plan.posts
    k = len(posts)
    s = T.Block(k)
    s.add("id", T.ints(np.arange(1, k + 1)))
    s.add("person_id", T.ints(np.array([x[0] for x in posts])))
    s.add("role", T.strings([x[1] for x in posts]))
    s.add("area_id", T.ints(np.array([x[2] + 1 for x in posts])))
    dept = np.array([x[3] or 0 for x in posts])
    s.add("department_id", T.ints(dept).nulls(dept == 0))
    s.add("start_date", T.dates(ctx.now // DAY - rng.integers(400, 2000, k)))
    s.add("end_date", T.const(T.NULL, k))
    s.add("title", T.strings([x[4] for x in posts]))
    gen_db.copy(conn, tables["posts"], s.columns, s.to_bytes())
    conn.commit()
    return {"areas": n, "party_orgs": len(orgs), "departments": len(depts), "posts": k, "persons": m}


def _worker_conn():
    global _CONN
    if _CONN is None:
        from . import gen_db

        _CONN = gen_db.connect(os.environ["DATABASE_URL"])
    return _CONN


def run_task(task):
    from . import gen_db
    from .gen_cases import generate_chunk
    from .gen_people import generate_households

    kind, chunk, lo, hi = task
    ctx, tables = _CTX
    conn = _worker_conn()
    if kind == "people":
        hh, persons, stats = generate_households(ctx, chunk, lo, hi)
        gen_db.copy(conn, tables["households"], hh.columns, hh.to_bytes())
        gen_db.copy(conn, tables["persons"], persons.columns, persons.to_bytes())
    else:
        days, counts, first_id = _CASE_CHUNKS[chunk]
        cases, events, ext, rollups, subtree, stats = generate_chunk(ctx, chunk, days, counts, first_id)
        blocks = [("cases", cases), ("events", events), ("extension_requests", ext), ("rollups", rollups)]
        if subtree is not None and "subtree_rollups" in tables:
            blocks.append(("subtree_rollups", subtree))
        for key, block in blocks:
            gen_db.copy(conn, tables[key], block.columns, block.to_bytes())
    conn.commit()
    return kind, stats


_CASE_CHUNKS: list = []


def load_bulk(args, ctx, tables, day_counts, days) -> dict[str, int]:
    """Households + residents and cases + events + rollups, in chunks over `args.workers` processes."""
    global _CTX
    from .gen_cases import chunk_days

    plan = ctx.plan
    _CTX = (ctx, tables)
    tasks = []
    ng = len(plan.grids)
    step = max(1, 200_000 // 414)
    people = [("people", i, g, min(ng, g + step)) for i, g in enumerate(range(0, ng, step))]
    first = 1
    _CASE_CHUNKS.clear()
    for d0, d1 in chunk_days(day_counts, 150_000):
        counts = day_counts[d0:d1]
        _CASE_CHUNKS.append((days[d0:d1], counts, first))
        first += int(counts.sum())
    cases = [("cases", i, 0, 0) for i in range(len(_CASE_CHUNKS))]
    # Interleave, so the two workers COPY into different tables most of the time.
    while people or cases:
        if cases:
            tasks.append(cases.pop(0))
        if people:
            tasks.append(people.pop(0))
    totals: dict[str, int] = {}
    bar_people = progress_bar(args, "residents", int(plan.residents))
    bar_cases = progress_bar(args, "cases", int(plan.cases))
    bar_events = progress_bar(args, "events", 0)
    ctx_mp = mp.get_context("fork")
    with ctx_mp.Pool(args.workers) as pool:
        for kind, stats in pool.imap_unordered(run_task, tasks):
            for k, v in stats.items():
                totals[k] = totals.get(k, 0) + v
            if kind == "people":
                bar_people.update(stats["persons"])
            else:
                bar_cases.update(stats["cases"])
                bar_events.update(stats["events"])
    for bar in (bar_people, bar_cases, bar_events):
        bar.close()
    totals["persons_residents"] = totals.pop("persons", 0)
    return totals


def derive_rollups() -> None:
    """Tables the project derives from DailyRollup (SubtreeRollup …), through its own SQL rebuild, so
    they follow whatever the project computes."""
    from django.db import connection, transaction

    from muling.stats import rollups

    rebuild = getattr(rollups, "rebuild_subtrees", None)
    if rebuild is not None:
        with transaction.atomic():
            with connection.cursor() as cur:
                # The table's indexes are dropped until the end; the GROUP BY wants memory, not disk.
                cur.execute("SET LOCAL work_mem = '1GB'")
                cur.execute("SET LOCAL synchronous_commit = off")
            rebuild()


def create_actors(ctx):
    """Real logins with posts for the benchmark harness, through the services."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from muling.api.services import token_create
    from muling.cases.enums import OPEN_STATUSES, Status
    from muling.cases.models import Case
    from muling.people import services as people
    from muling.people.models import Person, Post
    from muling.people.roles import Role
    from muling.places.models import Area

    User = get_user_model()
    queue_statuses = [str(s) for s in (*OPEN_STATUSES, Status.RESOLVED)]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT p.person_id, p.area_id, count(c.id) FROM people_post p "
            "LEFT JOIN cases_case c ON c.owner_person_id = p.person_id AND c.status = ANY(%s) "
            "WHERE p.role = %s GROUP BY p.person_id, p.area_id ORDER BY 3, 1",
            [queue_statuses, str(Role.GRID_WORKER)],
        )
        rows = cur.fetchall()
    worker_id, grid_id, _q = rows[len(rows) // 2]  # the median queue
    grid = Area.objects.get(pk=grid_id)
    chain = {a.level: a for a in Area.objects.get_ancestors(grid)}
    community, street, district, city = chain[4], chain[3], chain[2], chain[1]

    def secretary(area, role):
        return Post.objects.get(area=area, role=role).person

    dept_post = (
        Post.objects.filter(role=Role.DEPARTMENT_STAFF, area=district, department__kind="utility")
        .order_by("department__code")
        .first()
    )
    resident = (
        Person.objects.filter(household__building__path__startswith=grid.path, birth_date__isnull=False)
        .order_by("household_id", "id")
        .first()
    )
    holders = {
        "resident": (resident, grid),
        "grid_worker": (Person.objects.get(pk=worker_id), grid),
        "community_secretary": (secretary(community, Role.COMMUNITY_SECRETARY), community),
        "street_secretary": (secretary(street, Role.STREET_SECRETARY), street),
        "county_secretary": (secretary(district, Role.COUNTY_SECRETARY), district),
        "department_staff": (dept_post.person, district),
    }
    actors = {}
    with transaction.atomic():
        for role, (person, area) in holders.items():
            user = people.user_create_for_person(person=person, username=f"bench_{role}", password=PASSWORD)
            actors[role] = {
                "username": user.username,
                "password": PASSWORD,
                "person_id": person.pk,
                "user_id": user.pk,
                "area_id": area.pk,
                "area_path": area.path,
            }
        admin = User.objects.create_superuser(username="bench_city", password=PASSWORD, email="")
        actors["city"] = {
            "username": admin.username,
            "password": PASSWORD,
            "person_id": None,
            "user_id": admin.pk,
            "area_id": city.pk,
            "area_path": city.path,
        }
        actors["department_staff"]["department_id"] = dept_post.department_id
        for role in ("resident", "grid_worker", "street_secretary"):
            user = User.objects.get(username=actors[role]["username"])
            actors[role]["token"] = token_create(user=user, name="bench").secret
        # The resident reported some of the app cases of their grid (their "my reports" page).
        mine = list(
            Case.objects.filter(grid=grid, channel__in=["web", "service_card"])
            .order_by("-id")
            .values_list("pk", flat=True)[:30]
        )
        Case.objects.filter(pk__in=mine).update(reporter_id=actors["resident"]["user_id"])
        actors["resident"]["reported_cases"] = len(mine)
    areas = {
        "city_id": city.pk,
        "district_id": district.pk,
        "street_id": street.pk,
        "community_id": community.pk,
        "grid_id": grid.pk,
    }
    return actors, areas


def final_counts() -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from muling.cases.enums import OPEN_STATUSES
    from muling.cases.models import Case, CaseEvent, ExtensionRequest
    from muling.people.models import Person, Post
    from muling.places.levels import Level
    from muling.places.models import Household
    from muling.stats import models as stats_models
    from muling.stats.models import DailyRollup

    subtree = getattr(stats_models, "SubtreeRollup", None)

    def fast_count(model) -> int:
        with connection.cursor() as cur:
            cur.execute(f'SELECT count(*) FROM "{model._meta.db_table}"')
            return cur.fetchone()[0]

    with connection.cursor() as cur:
        cur.execute("SELECT level, count(*) FROM places_area GROUP BY level ORDER BY level")
        by_level = {Level(lv).name.lower(): n for lv, n in cur.fetchall()}
    now = timezone.now()
    open_ = Case.objects.filter(status__in=OPEN_STATUSES)
    return {
        "areas": by_level,
        "households": fast_count(Household),
        "persons": fast_count(Person),
        "users": get_user_model().objects.count(),
        "posts": fast_count(Post),
        "cases": fast_count(Case),
        "open_cases": open_.count(),
        "overdue_cases": open_.filter(deadline__lt=now, level__lt=4).count(),
        "events": fast_count(CaseEvent),
        "extension_requests": fast_count(ExtensionRequest),
        "rollups": fast_count(DailyRollup),
        **({"subtree_rollups": fast_count(subtree)} if subtree is not None else {}),
    }


def database_bytes() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_database_size(current_database())")
        return cur.fetchone()[0]


if __name__ == "__main__":
    main()
