"""Where the CPU of one request goes, by process: the evidence behind the intake and list figures.

    .venv/bin/python -m bench.cpu_split --database-url postgres://postgres@127.0.0.1:5432/muling_bench

Starts Muling's gunicorn the way the harness does (same settings, 4 sync workers), loads one endpoint
with wrk at 16 connections, and divides the CPU time the web workers, the PostgreSQL backends and
Redis used during the run (from /proc) by the requests answered. Endpoints: intake (the harness's
prepared bodies, as its intake account), the framework ceiling, and the grid worker's queue API.
On a 2-core machine the sum per request is what bounds requests per second: 2,000 ms ÷ the sum.
Intake writes cases (in the harness's intake street), as the harness does.
"""

import argparse
import json
import os
import sys
import time
import urllib.parse
from pathlib import Path

from .harness_django import intake_resident, intake_street
from .harness_servers import Server, free_port, gunicorn_argv
from .harness_wrk import run_wrk

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
HZ = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """user + system CPU of `pids`, in seconds (a process that ended meanwhile counts nothing)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / HZ


def pids_where(test) -> list[int]:
    """The processes whose command line (as `ps` shows it) passes `test`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if test(cmdline):
                found.append(int(entry.name))
    return found


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.cpu_split", description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", required=True)
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/11")
    p.add_argument("--duration", type=int, default=10)
    p.add_argument("--workers", type=int, default=4)
    args = p.parse_args(argv)
    name = urllib.parse.urlsplit(args.database_url).path.lstrip("/")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.harness_settings",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "DEBUG": "0",
        "MULING_BENCH_CEILING": "1",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from muling.api import services as api_services

    manifest = json.loads((VAR / f"{name}.json").read_text())
    resident = intake_resident(intake_street(manifest["areas"]))
    intake_token = api_services.token_create(user=resident, name="bench cpu split").secret
    bodies = VAR / "work" / "muling-intake.jsonl"
    if not bodies.exists():
        sys.exit(f"{bodies} is missing: run the harness once (it prepares the intake bodies)")
    ceiling = VAR / "work" / "ceiling.txt"
    ceiling.write_text("".join(f"note=ceiling-{i}\n" for i in range(100)))
    grid_token = manifest["actors"]["grid_worker"]["token"]
    port = free_port()
    server = Server(
        "muling",
        gunicorn_argv(
            ROOT / ".venv" / "bin" / "gunicorn", "muling.wsgi:application", port=port, workers=args.workers
        ),
        env=env,
        cwd=ROOT,
        port=port,
        log=VAR / "cpu-split-server.log",
    )
    server.start("/login/")
    plan = [
        ("intake", "/api/v1/cases", {"Authorization": f"Bearer {intake_token}"}, bodies, None),
        ("ceiling", "/bench/ceiling/", {}, ceiling, "application/x-www-form-urlencoded"),
        ("queue API", "/api/v1/cases?view=queue", {"Authorization": f"Bearer {grid_token}"}, None, None),
    ]
    print(
        f"{'endpoint':10} {'req/s':>7} {'web ms':>7} {'db ms':>6} {'redis ms':>8} {'sum ms':>7}   (CPU per request)"
    )
    try:
        for label, path, headers, body_file, content_type in plan:
            url = server.base_url + path
            kw = {"headers": headers, "bodies": body_file, "content_type": content_type}
            run_wrk(url, connections=16, duration=2, **kw)  # warm every worker
            groups = {
                "web": server.worker_pids(),
                # PostgreSQL names a backend "postgres: [cluster: ]user database client state"
                "db": pids_where(lambda c: c.startswith("postgres:") and f" {name} " in c),
                "redis": pids_where(lambda c: c.startswith("redis-server")),
            }
            before = {k: cpu_seconds(v) for k, v in groups.items()}
            started = time.monotonic()
            result = run_wrk(url, connections=16, duration=args.duration, **kw)
            spent = {k: cpu_seconds(v) - before[k] for k, v in groups.items()}
            n = max(1, result.get("requests", 0))
            per = {k: v / n * 1000 for k, v in spent.items()}
            print(
                f"{label:10} {result.get('rps', 0):7.1f} {per['web']:7.2f} {per['db']:6.2f} {per['redis']:8.2f} "
                f"{sum(per.values()):7.2f}   ({n} requests in {time.monotonic() - started:.1f} s)"
            )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
