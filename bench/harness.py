"""The side-by-side benchmark of issue 6: Muling and its references, measured in one run on one machine.

    .venv/bin/python -m bench.harness --database-url postgres://postgres@127.0.0.1:5432/muling_bench_small

It reads the generator's manifest (var/bench/<db>.json: actors with passwords and tokens, area ids),
serves Muling with gunicorn on that database (DEBUG off, Redis cache, the ceiling view on), serves
django-helpdesk 2.6.1 from its own virtualenv with the same worker count, drives both with wrk, runs
pgbench and the escalation sweep, and writes var/bench/results-<timestamp>.{json,md}. A missed target
is reported, never a failure of the command. See bench/README.md for what each figure means.
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
import urllib.parse
from datetime import datetime
from pathlib import Path

import psycopg

from . import harness_helpdesk as helpdesk
from .harness_http import call, csrf_form, login
from .harness_pgbench import pgbench_available, run_pgbench
from .harness_report import evaluate_targets, machine_info, markdown
from .harness_servers import Server, free_port, gunicorn_argv
from .harness_wrk import run_wrk, wrk_available

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
SIZE_TABLES = ["cases_case", "cases_caseevent", "stats_dailyrollup"]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv=None) -> argparse.Namespace:
    cores = os.cpu_count() or 2
    p = argparse.ArgumentParser(prog="python -m bench.harness", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--database-url", help="the generated Muling database (its manifest is var/bench/<name>.json)"
    )
    p.add_argument("--manifest", type=Path, help="the manifest, if not var/bench/<database name>.json")
    p.add_argument("--duration", type=int, default=20, help="seconds per intake run (default 20)")
    p.add_argument(
        "--list-duration", type=int, default=10, help="seconds per list and dashboard run (default 10)"
    )
    p.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    p.add_argument(
        "--warmup", type=int, default=2, help="seconds of unmeasured load before each run (default 2)"
    )
    p.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    p.add_argument(
        "--workers", type=int, default=2 * cores, help=f"gunicorn workers, both servers (default {2 * cores})"
    )
    p.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/12", help="Muling's cache; FLUSHDB'd at start"
    )
    p.add_argument(
        "--helpdesk-database-url", default="postgres://postgres@127.0.0.1:5432/muling_bench_helpdesk"
    )
    p.add_argument("--helpdesk-venv", type=Path, default=VAR / "helpdesk-venv")
    p.add_argument("--helpdesk-tickets", type=int, default=100_000)
    p.add_argument(
        "--pgbench-database-url", default="postgres://postgres@127.0.0.1:5432/muling_bench_pgbench"
    )
    p.add_argument("--sweep-runs", type=int, default=3)
    p.add_argument("--skip-helpdesk", action="store_true", help="measure Muling only (no ratios to helpdesk)")
    p.add_argument("--skip-pgbench", action="store_true")
    p.add_argument("--skip-sweep", action="store_true", help="leave the data unchanged by the sweep")
    p.add_argument(
        "--no-migrate", action="store_true", help="do not apply Muling's migrations to the bench database"
    )
    p.add_argument("--out", type=Path, default=VAR, help="where results-<timestamp>.{json,md} go")
    args = p.parse_args(argv)
    if args.manifest is None:
        if not args.database_url:
            p.error("give --database-url (or --manifest)")
        name = urllib.parse.urlsplit(args.database_url).path.lstrip("/")
        args.manifest = VAR / f"{name}.json"
    if not args.manifest.exists():
        p.error(f"no manifest at {args.manifest}: run python -m bench.generate first")
    if not args.database_url:
        p.error("give --database-url")
    return args


def django_step(args, *argv: str) -> dict | list:
    env = muling_env(args)
    proc = subprocess.run(
        [sys.executable, "-m", "bench.harness_django", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    line = next((x for x in proc.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"bench.harness_django {argv[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(line[len("BENCH_JSON ") :])


def muling_env(args) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.harness_settings",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "DEBUG": "0",
        "MULING_BENCH_CEILING": "1",
        "LOG_LEVEL": "WARNING",
    }


def checked(results: dict, problems: list, key: str, url: str, *, headers=None, data=None, ok=(200,)) -> bool:
    """Call the endpoint once before loading it: a wrong URL or a refusal is reported, not measured."""
    status, body = call(url, headers=headers, data=data)
    if status not in ok:
        message = f"{key}: {url} answered {status} before the load run: {body[:160]!r}"
        if not any(p.startswith(f"{key}: {url} answered") for p in problems):
            problems.append(message)
        return False
    return True


def measure(
    results, problems, key, url, *, args, duration, headers=None, bodies=None, content_type=None, ok=(200,),
    warm_up=True, single=False,
):  # fmt: skip
    warm = None
    if bodies is not None:
        warm = Path(bodies).read_text().splitlines()[-1].encode()
        headers_check = {**(headers or {}), "Content-Type": content_type or "application/json"}
        checked(results, problems, key, url, headers=headers_check, data=warm, ok=ok)
    else:
        for _ in range(1 if args.warmup else 2 * args.workers):
            checked(results, problems, key, url, headers=headers, ok=ok)
    if args.warmup and warm_up:
        # Every worker must have imported the URLconf and filled its per-process caches before the clock
        # starts: gunicorn hands connections to whichever worker accepts first, so sequential calls can
        # leave some workers cold. The warm-up run's figures are thrown away.
        run_wrk(url, connections=args.connections, duration=args.warmup, threads=args.threads, headers=headers,
                bodies=Path(bodies) if bodies else None, content_type=content_type)  # fmt: skip
    log(f"{key}: {url} ({duration} s)")
    row = run_wrk(
        url,
        connections=args.connections,
        duration=duration,
        threads=args.threads,
        headers=headers,
        bodies=Path(bodies) if bodies else None,
        content_type=content_type,
    )
    if row.get("errors"):
        problems.append(f"{key}: {row['errors']} errors under load {row.get('status_counts') or ''}")
    if "error" in row:
        problems.append(f"{key}: {row['error']} ({args.connections} connections; give it a longer run)")
    if single:
        # Latency as one user sees it: one connection, nothing queued in front. Under 16 connections the
        # latency is mostly waiting for one of the workers (16 ÷ throughput), which the req/s figure says.
        log(f"{key}: one connection ({max(3, duration // 2)} s)")
        alone = run_wrk(url, connections=1, duration=max(3, duration // 2), threads=1, headers=headers)
        row["single"] = {k: alone.get(k) for k in ("rps", "p50_ms", "p95_ms", "p99_ms", "requests", "error")}
    return row


def warm_workers(args, url: str) -> None:
    """Load every worker once right after the start: a fresh worker imports the URLconf (and, in
    Muling, builds the API schema) on its first request, which takes seconds."""
    if args.warmup:
        log(f"warming up the workers ({max(args.warmup, 5)} s on {url})")
        run_wrk(url, connections=args.connections, duration=max(args.warmup, 5), threads=args.threads)


def run_muling(args, manifest, prep, results, problems, describe) -> None:
    port = free_port()
    server = Server(
        "muling",
        gunicorn_argv(
            ROOT / ".venv" / "bin" / "gunicorn", "muling.wsgi:application", port=port, workers=args.workers
        ),
        env=muling_env(args),
        cwd=ROOT,
        port=port,
        log=VAR / "muling-server.log",
    )
    log(f"starting Muling on {server.base_url} with {args.workers} workers")
    server.start("/login/")
    base = server.base_url
    try:
        warm_workers(args, base + "/api/v1/categories")
        actors = manifest["actors"]
        tokens = prep["tokens"]
        sessions = {}
        for role in ("grid_worker", "street_secretary", "city"):
            sessions[role] = login(base, "/login/", actors[role]["username"], actors[role]["password"])
        bearer = {role: {"Authorization": f"Bearer {token}"} for role, token in tokens.items()}
        cookie = {role: {"Cookie": value} for role, value in sessions.items()}
        areas, actor_areas = prep["areas"], prep["actor_areas"]
        d = args.list_duration

        lists = {}
        plan = [
            ("muling_queue_api", "/api/v1/cases?view=queue", bearer["grid_worker"], "grid worker, token"),
            ("muling_queue_page", "/cases/queue/", cookie["grid_worker"], "grid worker, session"),
            (
                "muling_overdue_api",
                "/api/v1/cases?overdue=true",
                bearer["street_secretary"],
                "street secretary, token",
            ),
            ("muling_board_page", "/cases/board/", cookie["street_secretary"], "street secretary, session"),
            ("muling_public_api", "/open311/v2/requests.json", {}, "anonymous (Open311 public list)"),
            ("muling_public_page", f"/cases/public/{areas['community']}/", {}, "anonymous"),
        ]
        for key, path, headers, who in plan:
            describe[key] = f"GET {path} — {who}"
            lists[key] = measure(
                results, problems, key, base + path, args=args, duration=d, headers=headers, single=True
            )
        results["lists"] = lists

        dashboards = {}
        plan = [
            ("city_dashboard_page", f"/stats/?area={actor_areas['city']}", cookie["city"], "city actor, session"),
            ("city_summary_api", f"/api/v1/stats/summary?area={actor_areas['city']}", cookie["city"], "city, session"),
            ("street_dashboard_page", f"/stats/?area={actor_areas['street_secretary']}", cookie["street_secretary"], "street secretary, session"),
            ("street_summary_api", f"/api/v1/stats/summary?area={actor_areas['street_secretary']}", bearer["street_secretary"], "street secretary, token"),
            ("grid_dashboard_page", f"/stats/?area={actor_areas['grid_worker']}", cookie["grid_worker"], "grid worker, session"),
            ("grid_summary_api", f"/api/v1/stats/summary?area={actor_areas['grid_worker']}", bearer["grid_worker"], "grid worker, token"),
        ]  # fmt: skip
        for key, path, headers, who in plan:
            describe[key] = f"GET {path} — {who}"
            dashboards[key] = measure(
                results, problems, key, base + path, args=args, duration=d, headers=headers, single=True
            )
        results["dashboards"] = dashboards

        intake = results.setdefault("intake", {})
        describe["muling_api_create"] = (
            f"POST /api/v1/cases (JSON) — a resident of street {prep['intake_street']}, token"
        )
        intake["muling_api_create"] = measure(
            results, problems, "muling_api_create", base + "/api/v1/cases", args=args, duration=args.duration,
            headers=bearer["intake_resident"], bodies=prep["intake_bodies"], ok=(201,),
        )  # fmt: skip
        ceiling_bodies = VAR / "work" / "ceiling.txt"
        ceiling_bodies.write_text("".join(f"note=ceiling-{i}\n" for i in range(100)))
        describe["muling_ceiling"] = "POST /bench/ceiling/ — anonymous, one INSERT in one transaction"
        intake["muling_ceiling"] = measure(
            results, problems, "muling_ceiling", base + "/bench/ceiling/", args=args, duration=args.duration,
            bodies=ceiling_bodies, content_type="application/x-www-form-urlencoded", ok=(201,),
        )  # fmt: skip
        results.setdefault("memory", {})["muling_workers_rss_mb"] = server.workers_rss_mb()
    finally:
        server.stop()
        problems.extend("Muling " + e for e in server_errors(server.log))


def server_errors(log_path: Path) -> list[str]:
    """The distinct server errors in a gunicorn log: "path: last line of the traceback", with a count."""
    seen: dict[str, int] = {}
    path, last = None, None
    for line in log_path.read_text(errors="replace").splitlines() + ["Internal Server Error: <end>"]:
        if line.startswith("Internal Server Error: "):
            if path is not None and last:
                key = f"{path}: {last.strip()[:200]}"
                seen[key] = seen.get(key, 0) + 1
            path, last = line.split(": ", 1)[1], None
        elif path is not None and line and not line.startswith((" ", "Traceback", "^")) and ":" in line:
            last = line
    return [f"server error ×{n} at {key}" for key, n in seen.items()]


def run_helpdesk(args, results, problems, describe) -> None:
    log("preparing django-helpdesk (own virtualenv, own database; tickets loaded once)")
    info = helpdesk.prepare(args.helpdesk_venv, args.helpdesk_database_url, args.helpdesk_tickets, log)
    info["versions"] = helpdesk.versions(args.helpdesk_venv)
    results["helpdesk"] = {k: v for k, v in info.items() if k not in ("password", "token")}
    port = free_port()
    server = Server(
        "helpdesk",
        [
            *gunicorn_argv(
                args.helpdesk_venv / "bin" / "gunicorn",
                "hdproject.wsgi:application",
                port=port,
                workers=args.workers,
            ),
            "--chdir",
            str(helpdesk.PROJECT),
        ],
        env=helpdesk.environment(args.helpdesk_database_url),
        cwd=helpdesk.PROJECT,
        port=port,
        log=VAR / "helpdesk-server.log",
    )
    log(f"starting django-helpdesk on {server.base_url} with {args.workers} workers")
    server.start("/login/")
    base = server.base_url
    work = VAR / "work"
    try:
        warm_workers(args, base + "/login/")
        # The list first, at the prepared ticket count: the intake runs below add thousands of
        # tickets, and the list slows as the table grows (prepare trims them again next run).
        session = login(base, "/login/", info["username"], info["password"])
        path = helpdesk.list_path()
        describe["helpdesk_ticket_list"] = (
            f"GET {path.split('?')[0][:40]}…?draw=1&start=0&length=25 — staff, session"
        )
        started = time.perf_counter()
        status, _body = call(base + path, headers={"Cookie": session})
        single = time.perf_counter() - started
        if status != 200:
            problems.append(f"helpdesk_ticket_list answered {status}")
        # One request takes seconds at 100,000 tickets: give wrk long enough to finish several.
        duration = max(args.list_duration, int(single * 3) + 5)
        results.setdefault("lists", {})["helpdesk_ticket_list"] = measure(
            results, problems, "helpdesk_ticket_list", base + path, args=args, duration=duration,
            headers={"Cookie": session}, warm_up=False, single=True,
        )  # fmt: skip
        results["lists"]["helpdesk_ticket_list"]["single_request_ms"] = round(single * 1000, 1)
        intake = results.setdefault("intake", {})
        token = {"Authorization": f"Token {info['token']}"}
        bodies = helpdesk.api_bodies(work / "helpdesk-api.jsonl", info["queue_ids"], 3000)
        describe["helpdesk_api_create"] = "POST /api/tickets/ (JSON) — staff, DRF token"
        intake["helpdesk_api_create"] = measure(
            results, problems, "helpdesk_api_create", base + "/api/tickets/", args=args, duration=args.duration,
            headers=token, bodies=bodies, ok=(201,),
        )  # fmt: skip
        cookie, csrf = csrf_form(base + "/tickets/submit/")
        bodies = helpdesk.form_bodies(work / "helpdesk-form.txt", csrf, 3000)
        describe["helpdesk_public_form"] = "POST /tickets/submit/ (form, CSRF cookie + token) — anonymous"
        intake["helpdesk_public_form"] = measure(
            results, problems, "helpdesk_public_form", base + "/tickets/submit/", args=args, duration=args.duration,
            headers={"Cookie": cookie, "Referer": base + "/tickets/submit/"}, bodies=bodies,
            content_type="application/x-www-form-urlencoded", ok=(302,),
        )  # fmt: skip
        results.setdefault("memory", {})["helpdesk_workers_rss_mb"] = server.workers_rss_mb()
    finally:
        server.stop()
        problems.extend("helpdesk " + e for e in server_errors(server.log))


def database_size(url: str) -> dict:
    with psycopg.connect(url) as conn:
        cases = conn.execute("SELECT count(*) FROM cases_case").fetchone()[0]
        db = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        tables = {
            t: conn.execute("SELECT pg_total_relation_size(%s)", [t]).fetchone()[0] for t in SIZE_TABLES
        }
        version = conn.execute("SHOW server_version").fetchone()[0]
    per = cases / 1e6 if cases else None
    mb = 1024 * 1024
    return {
        "cases": cases,
        "postgresql": version,
        "database_mb": round(db / mb, 1),
        "tables_mb": {t: round(v / mb, 1) for t, v in tables.items()},
        "database_mb_per_million_cases": round(db / mb / per, 1) if per else None,
        "tables_mb_per_million_cases": round(sum(tables.values()) / mb / per, 1) if per else None,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    manifest = json.loads(args.manifest.read_text())
    if not wrk_available():
        sys.exit("wrk is missing: run `bash scripts/system-deps.sh bench` (Debian package wrk)")
    started = datetime.now()
    results: dict = {
        "started_at": started.strftime("%Y-%m-%d %H:%M:%S"),
        "command": shlex.join([".venv/bin/python", "-m", "bench.harness", *(argv or sys.argv[1:])]),
        "database": urllib.parse.urlsplit(args.database_url).path.lstrip("/"),
        "manifest": {
            "path": str(args.manifest),
            "size": manifest.get("size"),
            "counts": manifest.get("counts"),
        },
        "settings": {
            "duration": args.duration,
            "list_duration": args.list_duration,
            "connections": args.connections,
            "threads": args.threads,
            "workers": args.workers,
        },
        "machine": machine_info(),
    }
    problems: list[str] = []
    describe: dict[str, str] = {}
    (VAR / "work").mkdir(parents=True, exist_ok=True)
    import redis

    redis.Redis.from_url(
        args.redis_url
    ).flushdb()  # the bench's own Redis database: counters, queued notifications

    results["load_average_before"] = os.getloadavg()
    if results["load_average_before"][0] > 0.5 * (os.cpu_count() or 1):
        problems.append(
            f"the machine was busy before the run (load average {results['load_average_before'][0]:.1f} on "
            f"{os.cpu_count()} cores): other processes share the CPU, so absolute figures are low; ratios "
            "within the run are less affected"
        )
    if not args.no_migrate:
        log("applying Muling's migrations to the bench database (nothing to do when it is current)")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=muling_env(args),
            check=True,
        )
    log("preparing Muling: tokens, area codes, intake bodies")
    prep = django_step(args, "prepare", "--manifest", str(args.manifest), "--out", str(VAR / "work"))
    results["intake_locations"] = prep["intake_locations"]
    run_muling(args, manifest, prep, results, problems, describe)
    if not args.skip_helpdesk:
        try:
            run_helpdesk(args, results, problems, describe)
        except (RuntimeError, subprocess.CalledProcessError, OSError) as exc:
            problems.append(f"django-helpdesk reference failed: {exc}")
    if not args.skip_pgbench and pgbench_available():
        log(f"pgbench: single-row INSERTs ({args.duration} s)")
        row = run_pgbench(
            args.pgbench_database_url, clients=args.connections, threads=args.threads, duration=args.duration
        )
        describe["pgbench_insert"] = (
            f"pgbench -c {args.connections} -j {args.threads}: INSERT one row, autocommit"
        )
        results.setdefault("intake", {})["pgbench_insert"] = row
    if not args.skip_sweep:
        log(f"escalation sweep x{args.sweep_runs}")
        try:
            runs = django_step(args, "sweep", "--runs", str(args.sweep_runs))
            results["sweep"] = {"runs": runs}
        except RuntimeError as exc:
            results["sweep"] = {"runs": [], "error": str(exc)}
        results["sweep"]["note"] = (
            "escalate_overdue_cases() as the Celery beat task calls it (one batch of at most 500 cases, one "
            "transaction each); it changes the bench data: rerun the generator for pristine data."
        )
    results["load_average_after"] = os.getloadavg()
    size = database_size(args.database_url)
    results["cases"] = size.pop("cases")
    results["postgresql"] = size.pop("postgresql")
    results["db_size"] = size
    results["describe"] = describe
    results["problems"] = problems
    results["targets"] = evaluate_targets(results)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    args.out.mkdir(parents=True, exist_ok=True)
    json_path = args.out / f"results-{stamp}.json"
    md_path = args.out / f"results-{stamp}.md"
    json_path.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    text = markdown(results)
    md_path.write_text(text)
    print(text)
    log(f"wrote {json_path} and {md_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
