"""The django-helpdesk 2.6.1 reference: its own virtualenv, its own PostgreSQL database, a minimal
project in bench/helpdesk/, 100,000 tickets loaded once and reused."""

import json
import random
import subprocess
import sys
import urllib.parse
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "bench" / "helpdesk"
VERSION = "2.6.1"
# What the reference needs next to helpdesk itself: the DRF it serves its API with, a server, a driver.
PACKAGES = [f"django-helpdesk=={VERSION}", "djangorestframework", "gunicorn", "psycopg[binary]"]


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def ensure_venv(venv: Path, log) -> None:
    """Create the virtualenv and install the reference once (re-installed only if helpdesk is missing)."""
    python = venv_python(venv)
    if python.exists():
        probe = subprocess.run(
            [str(python), "-c", "import helpdesk, rest_framework, gunicorn, psycopg"], capture_output=True
        )
        if probe.returncode == 0:
            return
    log(f"installing django-helpdesk {VERSION} into {venv}")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *PACKAGES], check=True
    )


def ensure_database(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(venv: Path, url: str, tickets: int, log) -> dict:
    """Migrate, create the staff account, token and queues, load the tickets (once)."""
    ensure_venv(venv, log)
    ensure_database(url)
    env = environment(url)
    python = str(venv_python(venv))
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=PROJECT, env=env, check=True)
    done = subprocess.run(
        [python, "setup_reference.py", "--tickets", str(tickets)],
        cwd=PROJECT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def environment(url: str) -> dict:
    import os

    return {
        **os.environ,
        "HELPDESK_DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "hdproject.settings",
        "HELPDESK_MEDIA_ROOT": str(ROOT / "var" / "bench" / "helpdesk-media"),
    }


def versions(venv: Path) -> dict:
    out = subprocess.run(
        [
            str(venv_python(venv)),
            "-c",
            "import django, importlib.metadata as m, json; "
            "print(json.dumps({'django': django.get_version(), 'helpdesk': m.version('django-helpdesk'),"
            " 'djangorestframework': m.version('djangorestframework')}))",
        ],
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout) if out.returncode == 0 else {}


def api_bodies(path: Path, queue_ids: list[int], count: int) -> Path:
    rng = random.Random(2026)
    with path.open("w") as f:
        for i in range(count):
            body = {
                "queue": rng.choice(queue_ids),
                "title": f"Street light out near block {rng.randint(1, 40)} ({i})",
                "description": f"Reported by a resident: the light has been out for {rng.randint(2, 30)} days.",
                "submitter_email": f"resident{rng.randint(1, 5000)}@example.com",
                "priority": 3,
            }
            f.write(json.dumps(body) + "\n")
    return path


def form_bodies(path: Path, csrf_token: str, count: int) -> Path:
    rng = random.Random(2027)
    with path.open("w") as f:
        for i in range(count):
            fields = {
                "csrfmiddlewaretoken": csrf_token,
                "title": f"Water leak at block {rng.randint(1, 40)} ({i})",
                "body": f"Reported on the public form: leaking for {rng.randint(2, 30)} days.",
                "submitter_email": f"resident{rng.randint(1, 5000)}@example.com",
            }
            f.write(urllib.parse.urlencode(fields) + "\n")
    return path


def list_path() -> str:
    """The JSON the staff ticket list page (/tickets/) loads: datatables_ticket_list with the page's
    default query (open and reopened tickets, sorted by creation) and its first page of 25."""
    import base64

    query = {
        "filtering": {"status__in": [1, 2]},
        "sorting": "created",
        "search_string": "",
        "sortreverse": False,
    }
    encoded = base64.b64encode(json.dumps(query).encode()).decode()
    return f"/datatables_ticket_list/{encoded}?draw=1&start=0&length=25"
