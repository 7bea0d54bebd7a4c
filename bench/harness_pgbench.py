"""pgbench: raw single-row INSERTs into a scratch table shaped like the ceiling's, the database's own
ceiling on this machine. Per-transaction logs give the percentiles."""

import re
import shutil
import subprocess
import tempfile
import urllib.parse
from pathlib import Path

import psycopg

TABLE = """CREATE TABLE IF NOT EXISTS bench_insert (
    id bigserial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(), note varchar(40) NOT NULL)"""


def run_pgbench(url: str, *, clients: int, threads: int, duration: int) -> dict:
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(TABLE)
        conn.execute("TRUNCATE bench_insert")
    work = Path(tempfile.mkdtemp(prefix="muling-pgbench-"))
    try:
        script = work / "insert.sql"
        script.write_text("INSERT INTO bench_insert (note) VALUES ('pgbench');\n")
        cmd = [
            "pgbench", "-n", "-c", str(clients), "-j", str(threads), "-T", str(duration),
            "-f", str(script), "-l", "--log-prefix", str(work / "log"),
            "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432),
            "-U", urllib.parse.unquote(parts.username or "postgres"), name,
        ]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
        if proc.returncode != 0:
            return {"error": proc.stderr.strip() or proc.stdout.strip()}
        tps = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", proc.stdout)
        failed = re.search(r"number of failed transactions: (\d+)", proc.stdout)
        latencies = []
        for log in work.glob("log*"):
            for line in log.read_text().splitlines():
                fields = line.split()
                if len(fields) >= 3:
                    latencies.append(int(fields[2]))
        latencies.sort()

        def pct(p: float) -> float:
            return (
                latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] / 1000 if latencies else 0
            )

        return {
            "clients": clients,
            "threads": threads,
            "seconds": duration,
            "transactions": len(latencies),
            "rps": float(tps.group(1)) if tps else 0.0,
            "p50_ms": pct(50),
            "p95_ms": pct(95),
            "p99_ms": pct(99),
            "errors": int(failed.group(1)) if failed else 0,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def pgbench_available() -> bool:
    return shutil.which("pgbench") is not None
