"""Where one API submission's time goes, on a generated database (the evidence behind RESULTS.md).

    .venv/bin/python -m bench.profile_intake --database-url postgres://postgres@127.0.0.1:5432/muling_bench

Posts the harness's prepared bodies (var/bench/work/muling-intake.jsonl, written by `bench.harness`)
through Django's test client in this one process — no server, no load generator — and prints the
queries of one submission with their database time, the mean time per submission, and the functions
that took the most time under cProfile. Writes cases, like the harness's intake run.
"""

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.profile_intake", description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", required=True)
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/11")
    p.add_argument("--count", type=int, default=60, help="submissions timed (default 60)")
    p.add_argument(
        "--cpu", action="store_true", help="profile with a CPU clock (time.process_time), cumulative order"
    )
    args = p.parse_args(argv)
    name = urllib.parse.urlsplit(args.database_url).path.lstrip("/")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.harness_settings",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from muling.api import services as api_services

    from .harness_django import intake_resident, intake_street

    manifest = json.loads((ROOT / "var" / "bench" / f"{name}.json").read_text())
    bodies = (ROOT / "var" / "bench" / "work" / "muling-intake.jsonl").read_text().splitlines()
    resident = intake_resident(intake_street(manifest["areas"]))  # the harness's intake account
    token = api_services.token_create(user=resident, name="bench profile").secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", SERVER_NAME="127.0.0.1")

    def submit(i: int) -> None:
        response = client.post("/api/v1/cases", bodies[i % len(bodies)], content_type="application/json")
        assert response.status_code == 201, response.content[:300]

    for i in range(5):  # imports, per-process caches
        submit(i)
    with CaptureQueriesContext(connection) as ctx:
        submit(5)
    print(f"one submission: {len(ctx.captured_queries)} queries")
    for q in ctx.captured_queries:
        print(f"  {float(q['time']) * 1000:6.1f} ms  {q['sql'][:110]}")
    started = time.perf_counter()
    for i in range(args.count):
        submit(6 + i)
    print(f"mean per submission: {(time.perf_counter() - started) / args.count * 1000:.1f} ms")
    # A CPU clock leaves out the time spent waiting for PostgreSQL and Redis, which other processes
    # use meanwhile: it says where this process's own share goes.
    profile = cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()
    profile.enable()
    for i in range(args.count):
        submit(6 + args.count + i)
    profile.disable()
    pstats.Stats(profile).sort_stats("cumulative" if args.cpu else "tottime").print_stats(
        40 if args.cpu else 15
    )


if __name__ == "__main__":
    main()
