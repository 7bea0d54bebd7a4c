"""Helpers for the crash tests: real PostgreSQL and Redis, real subprocesses (workers, gunicorn)
pointed at the pytest test database, killed with SIGKILL."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from muling.cases.defaults import install_default_categories
from muling.cases.models import Case, Category

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture
def categories(db) -> dict[str, Category]:
    install_default_categories(Category)  # transactional tests flush the data migration's rows
    return {c.code: c for c in Category.objects.all()}


def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    assert url.startswith("redis://"), "the crash tests need the real Redis (REDIS_URL)"
    return url


def test_database_url() -> str:
    """DATABASE_URL of the database pytest is using (test_<name>), for subprocesses."""
    s = connection.settings_dict
    assert s["ENGINE"] == "django.db.backends.postgresql", "the crash tests need PostgreSQL"
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


def subprocess_env(**extra) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "muling.settings",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": redis_url(),
        "DB_CONN_MAX_AGE": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        # These tests are about crashes and retries, not abuse limits: every request comes from
        # 127.0.0.1 as one resident.
        "REPORT_LIMIT_PER_USER_PER_HOUR": "0",
        "REPORT_LIMIT_PER_ADDRESS_PER_HOUR": "0",
    }
    env.update(extra)
    return env


def raw_connection() -> psycopg.Connection:
    """A second connection to the test database, outside Django (to hold locks)."""
    return psycopg.connect(test_database_url().replace("postgres://", "postgresql://"))


def wait_for(predicate, seconds: float = 30, step: float = 0.02) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return False


def kill9(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def children_of(pid: int) -> list[int]:
    """Child process ids (gunicorn workers), read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append(int(entry.name))
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def blocked_backends(raw: psycopg.Connection, query_start: str) -> int:
    """How many other backends wait on a lock while running a query that starts with query_start."""
    with raw.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s "
            "AND datname = current_database() AND pid <> pg_backend_pid()",
            (query_start + "%",),
        )
        return cur.fetchone()[0]


class Gunicorn:
    """gunicorn muling.wsgi on a free port of 127.0.0.1, against the given environment."""

    def __init__(self, env: dict, workers: int = 2, timeout: int = 30):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "muling.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--timeout",
                str(timeout),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        self.workers = workers

    def wait_ready(self, seconds: float = 30) -> None:
        import requests

        def up():
            assert self.proc.poll() is None, "gunicorn exited"
            try:
                requests.get(self.url + "/api/v1/categories", timeout=2)
                return len(children_of(self.proc.pid)) >= self.workers
            except requests.RequestException:
                return False

        assert wait_for(up, seconds, step=0.2), "gunicorn did not start"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                kill9(self.proc)


def assert_cases_whole() -> None:
    """No half-written case: every row has its number, its CREATED event, and a timeline that replays
    to the state stored on the row."""
    from muling.cases.enums import EventKind
    from muling.cases.events import replay

    for case in Case.objects.all():
        assert not case.number.startswith("tmp-"), case.pk
        assert case.events.filter(kind=EventKind.CREATED).count() == 1, case.pk
        state = replay(case)
        assert state["status"] == case.status, case.pk
        assert state["level"] == case.level, case.pk
        assert state["owner_area_id"] == case.owner_area_id, case.pk
        assert state["owner_person_id"] == case.owner_person_id, case.pk
        assert state["owner_department_id"] == case.owner_department_id, case.pk
