"""The harness's result: machine facts, ratios, the targets of issue 6 with pass/fail, the Markdown table."""

import os
import platform
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def machine_info() -> dict:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )

    def out(*cmd) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""

    commit = out("git", "rev-parse", "HEAD")
    dirty = bool(out("git", "status", "--porcelain", "--untracked-files=no"))
    import django

    return {
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": out(str(ROOT / ".venv" / "bin" / "gunicorn"), "--version"),
        "wrk": out("wrk", "-v").splitlines()[0] if shutil.which("wrk") else "",
        "git_commit": commit + ("+uncommitted changes" if dirty else ""),
    }


def ratio(a, b) -> float | None:
    if not a or not b:
        return None
    return round(a / b, 3)


def _get(results: dict, *keys):
    node = results
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def evaluate_targets(r: dict) -> list[dict]:
    """Issue 6's targets for Muling, each against figures of this same run."""
    rows = []

    def add(name, value, limit, ok, unit=""):
        status = "n/a" if ok is None or (value is None and ok) else ("pass" if ok else "FAIL")
        rows.append({"target": name, "value": value, "limit": limit, "unit": unit, "status": status})

    intake = _get(r, "intake", "muling_api_create", "rps")
    hd_api = _get(r, "intake", "helpdesk_api_create", "rps")
    ceiling = _get(r, "intake", "muling_ceiling", "rps")
    x = ratio(intake, hd_api)
    add("intake ≥ 5× django-helpdesk API create", x, "≥ 5×", None if x is None else x >= 5, "×")
    p99 = _get(r, "intake", "muling_api_create", "p99_ms")
    if p99 is None and _get(r, "intake", "muling_api_create", "requests") == 0:
        add("intake p99 ≤ 50 ms (no request completed)", None, "≤ 50", False, "ms")
    else:
        add("intake p99 ≤ 50 ms", p99, "≤ 50", None if p99 is None else p99 <= 50, "ms")
    x = ratio(intake, ceiling)
    add("intake ≥ 0.5× framework ceiling", x, "≥ 0.5×", None if x is None else x >= 0.5, "×")
    hd_list = _get(r, "lists", "helpdesk_ticket_list", "rps")
    for key, row in (r.get("lists") or {}).items():
        if key.startswith("helpdesk") or "rps" not in row:
            continue
        if "p50_ms" not in row:  # nothing finished within the run: slower than its whole duration
            add(
                f"{key} p50 ≤ 20 ms ({row.get('error', 'no figure')})",
                row.get("seconds"),
                "≤ 20",
                False,
                "s run",
            )
            continue
        p50 = (row.get("single") or {}).get("p50_ms") or row["p50_ms"]
        add(f"{key} p50 ≤ 20 ms (one connection)", p50, "≤ 20", p50 <= 20, "ms")
        x = ratio(row["rps"], hd_list)
        add(f"{key} ≥ 100× helpdesk list rate", x, "≥ 100×", None if x is None else x >= 100, "×")
    for key, row in (r.get("dashboards") or {}).items():
        if "p95_ms" in row:
            p95 = (row.get("single") or {}).get("p95_ms") or row["p95_ms"]
            add(f"{key} p95 ≤ 150 ms (one connection)", p95, "≤ 150", p95 <= 150, "ms")
        elif row.get("requests") == 0:
            add(f"{key} p95 ≤ 150 ms ({row['error']})", row.get("seconds"), "≤ 150", False, "s run")
    sweeps = [s["seconds"] for s in r.get("sweep", {}).get("runs", [])]
    worst = max(sweeps) if sweeps else None
    add("escalation sweep ≤ 1 s (slowest run)", worst, "≤ 1", None if worst is None else worst <= 1, "s")
    rss = _get(r, "memory", "muling_workers_rss_mb")
    biggest = max(rss) if rss else None
    add(
        "web worker RSS ≤ 200 MB (largest)",
        biggest,
        "≤ 200",
        None if biggest is None else biggest <= 200,
        "MB",
    )
    return rows


def _fmt(value, digits=1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _fmt_ratio(value) -> str:
    if value is None:
        return "–"
    return f"{value:,.3f}" if value < 0.1 else f"{value:,.2f}"


def _load(values) -> str:
    return ", ".join(f"{v:.2f}" for v in values) if values else "–"


def _errors(row: dict) -> str:
    if "error" in row:
        return "failed: " + row["error"][:80]
    text = _fmt(row.get("errors", 0))
    if row.get("status_counts"):
        text += " (" + ", ".join(f"{k}×{v}" for k, v in sorted(row["status_counts"].items())) + ")"
    return text


def _load_table(title: str, rows: dict, describe: dict, *, ratio_header: str, ratio_of, p: str) -> list[str]:
    lines = [
        f"### {title}",
        "",
        f"| what | request | req/s | p50 ms | {p} ms | p99 ms | errors | {ratio_header} "
        f"| 1 conn: p50 ms | 1 conn: {p} ms | 1 conn: p99 ms |",
        "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for key, row in rows.items():
        one = row.get("single") or {}
        lines.append(
            f"| {key} | {describe.get(key, '')} | {_fmt(row.get('rps'))} | {_fmt(row.get('p50_ms'), 2)} | "
            f"{_fmt(row.get(p + '_ms'), 2)} | {_fmt(row.get('p99_ms'), 2)} | {_errors(row)} | "
            f"{_fmt_ratio(ratio_of(row))} | {_fmt(one.get('p50_ms'), 2)} | {_fmt(one.get(p + '_ms'), 2)} | "
            f"{_fmt(one.get('p99_ms'), 2)} |"
        )
    return [*lines, ""]


def markdown(r: dict) -> str:
    m = r["machine"]
    lines = [
        f"## Muling benchmark — {r['started_at']}",
        "",
        f"Machine: {m['cores']} cores, {m['memory_gb']} GB, {m['cpu']}; PostgreSQL {r.get('postgresql', '?')}; "
        f"Python {m['python']}, Django {m['django']}, {m['gunicorn']}, {m['wrk']}; commit {m['git_commit']}.",
        f"Data: `{r['database']}` ({_fmt(r['cases'])} cases); gunicorn workers: {r['settings']['workers']} for "
        f"both servers; wrk: {r['settings']['connections']} connections, {r['settings']['threads']} threads; "
        f"django-helpdesk {r.get('helpdesk', {}).get('versions', {}).get('helpdesk', '–')} with "
        f"{_fmt(r.get('helpdesk', {}).get('tickets'))} tickets.",
        f"Command: `{r['command']}`",
        f"Load average before / after: {_load(r.get('load_average_before'))} / {_load(r.get('load_average_after'))}.",
        "",
    ]
    d = r.get("describe", {})
    st = r["settings"]
    mu = _get(r, "intake", "muling_api_create", "rps")
    lines += _load_table(
        f"a. intake ({st['duration']} s each)",
        r.get("intake", {}),
        d,
        ratio_header="Muling intake ÷ this",
        ratio_of=lambda row: ratio(mu, row.get("rps")),
        p="p95",
    )
    hd = _get(r, "lists", "helpdesk_ticket_list", "rps")
    lines += _load_table(
        f"b. lists ({st['list_duration']} s each)",
        r.get("lists", {}),
        d,
        ratio_header="this ÷ helpdesk list",
        ratio_of=lambda row: ratio(row.get("rps"), hd),
        p="p95",
    )
    lines += _load_table(
        f"c. dashboards ({st['list_duration']} s each)",
        r.get("dashboards", {}),
        d,
        ratio_header="–",
        ratio_of=lambda row: None,
        p="p95",
    )
    sweep = r.get("sweep", {})
    lines += [
        "### d. escalation sweep",
        "",
        sweep.get("note", ""),
        "",
        "| run | due before | escalated | seconds |",
    ]
    lines += ["|---:|---:|---:|---:|"]
    for i, s in enumerate(sweep.get("runs", []), 1):
        lines.append(f"| {i} | {_fmt(s['due_before'])} | {_fmt(s['escalated'])} | {_fmt(s['seconds'], 3)} |")
    if "error" in sweep:
        lines.append(f"| – | – | – | failed: {sweep['error'][:100]} |")
    mem = r.get("memory", {})
    lines += ["", "### e. memory and size", "", "| what | value |", "|---|---|"]
    lines.append(
        f"| Muling web workers RSS (MB) | {', '.join(map(str, mem.get('muling_workers_rss_mb', []))) or '–'} |"
    )
    lines.append(
        f"| helpdesk web workers RSS (MB) | {', '.join(map(str, mem.get('helpdesk_workers_rss_mb', []))) or '–'} |"
    )
    size = r.get("db_size", {})
    lines.append(f"| Muling database | {_fmt(size.get('database_mb'))} MB |")
    for table, mb in size.get("tables_mb", {}).items():
        lines.append(f"| {table} (with indexes, TOAST) | {_fmt(mb)} MB |")
    lines.append(f"| database per million cases | {_fmt(size.get('database_mb_per_million_cases'))} MB |")
    lines.append(
        f"| case + event + rollup tables per million cases | {_fmt(size.get('tables_mb_per_million_cases'))} MB |"
    )
    lines += [
        "",
        "### targets (Muling, this run)",
        "",
        "| target | value | limit | result |",
        "|---|---:|---|---|",
    ]
    for t in r.get("targets", []):
        lines.append(f"| {t['target']} | {_fmt(t['value'], 2)} {t['unit']} | {t['limit']} | {t['status']} |")
    if r.get("problems"):
        lines += ["", "### problems seen during the run", ""] + [f"- {p}" for p in r["problems"]]
    return "\n".join(lines) + "\n"
