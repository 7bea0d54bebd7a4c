"""Run wrk with bench/wrk_report.lua and turn its JSON line into the figures the report shows."""

import json
import os
import shutil
import subprocess
from pathlib import Path

LUA = Path(__file__).resolve().parent / "wrk_report.lua"


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(
    url: str,
    *,
    connections: int,
    duration: int,
    threads: int = 2,
    headers: dict[str, str] | None = None,
    bodies: Path | None = None,
    content_type: str | None = None,
    timeout: int = 30,
) -> dict:
    """One wrk run against `url`. With `bodies`, POSTs one line of that file per request.

    Returns requests/s, latency percentiles in milliseconds, and errors: `non_2xx_3xx` (wrk's status
    errors), `socket` (connect, read, write, timeout) and `status_counts` of every status >= 400."""
    cmd = [
        "wrk",
        f"-t{max(1, min(threads, connections))}",
        f"-c{connections}",
        f"-d{duration}s",
        f"--timeout={timeout}s",
        "-s",
        str(LUA),
    ]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(url)
    env = {**os.environ, "BENCH_BODIES": str(bodies) if bodies else ""}
    if content_type:
        env["BENCH_CONTENT_TYPE"] = content_type
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=duration + timeout + 60)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        return {"error": f"wrk failed (exit {proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}"}
    raw = json.loads(line[len("BENCH_JSON ") :])
    seconds = raw["duration_us"] / 1e6 or 1
    if raw["requests"] == 0:
        return {
            "url": url,
            "connections": connections,
            "seconds": round(seconds, 2),
            "requests": 0,
            "rps": 0.0,
            "error": f"no request completed within {duration} s",
        }
    lat = raw["latency_us"]
    errors = raw["errors"]
    socket_errors = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    return {
        "url": url,
        "connections": connections,
        "threads": max(1, min(threads, connections)),
        "seconds": round(seconds, 2),
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds, 1),
        "p50_ms": lat["50"] / 1000,
        "p75_ms": lat["75"] / 1000,
        "p90_ms": lat["90"] / 1000,
        "p95_ms": lat["95"] / 1000,
        "p99_ms": lat["99"] / 1000,
        "max_ms": lat["max"] / 1000,
        "mean_ms": round(lat["mean"] / 1000, 3),
        "non_2xx_3xx": errors["status"],
        "socket_errors": socket_errors,
        "timeouts": errors["timeout"],
        "status_counts": raw["status_counts"],
        "errors": errors["status"] + socket_errors,
    }
