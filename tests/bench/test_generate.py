"""The data generator writes a data set the application agrees with (correctness only, never timing).

The generator needs a database of its own (it migrates it and drops indexes while it COPYs), so the
test creates `<test database>_gen` on the same server, points Django's connection at it for the
checks, and drops it afterwards.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench import gen_db
from muling.cases.enums import OPEN_STATUSES, EventKind
from muling.cases.models import Case, CaseEvent
from muling.cases.services import escalate_overdue_cases
from muling.people.models import Person, Post
from muling.places.models import Area, Household
from muling.stats import rollups

ROOT = Path(__file__).resolve().parents[2]


def _url(name: str) -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture(scope="module")
def generated(tmp_path_factory, django_db_blocker):
    base = settings.DATABASES["default"]["NAME"]
    if base.startswith("test_"):
        base = base[5:]
    url = _url(f"{base}_gen"[:60])
    manifest_path = tmp_path_factory.mktemp("gen") / "manifest.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.generate",
            "--size",
            "tiny",
            "--database-url",
            url,
            "--drop",
            "--quiet",
            "--manifest",
            str(manifest_path),
        ],
        cwd=ROOT,
        check=True,
    )
    manifest = json.loads(manifest_path.read_text())
    with django_db_blocker.unblock():
        conn = connections["default"]
        conn.close()
        old_name = conn.settings_dict["NAME"]
        conn.settings_dict["NAME"] = gen_db.db_name(url)
        try:
            yield manifest
        finally:
            conn.close()
            conn.settings_dict["NAME"] = old_name
    gen_db.drop_database(url)


def test_counts_match_the_manifest(generated):
    counts = generated["counts"]
    assert counts["cases"] == Case.objects.count() == 2000
    assert counts["events"] == CaseEvent.objects.count()
    assert counts["households"] == Household.objects.count()
    assert counts["persons"] == Person.objects.count()
    assert counts["open_cases"] == Case.objects.filter(status__in=OPEN_STATUSES).count() > 0
    assert counts["overdue_cases"] > 0
    assert sum(counts["areas"].values()) == Area.objects.count()


def test_area_tree_is_valid_and_cases_sit_in_their_grid(generated):
    assert all(not problems for problems in Area.objects.find_problems())
    grids = {a.pk: a.path for a in Area.objects.filter(level=5)}
    paths = dict(Area.objects.values_list("pk", "path"))
    for area_id, area_path, grid_id, owner_area_id in Case.objects.values_list(
        "area_id", "area_path", "grid_id", "owner_area_id"
    ):
        assert paths[area_id] == area_path
        assert area_path.startswith(grids[grid_id])
        assert grids[grid_id].startswith(paths[owner_area_id])  # the owner's queue is above the grid


def test_timelines_start_at_submission_and_end_in_the_case_status(generated):
    cases = {c.pk: c for c in Case.objects.only("id", "status", "created_at", "escalation_count", "level")}
    timelines = {}
    for e in CaseEvent.objects.order_by("case_id", "at", "id").only(
        "case_id", "kind", "at", "to_status", "level"
    ):
        timelines.setdefault(e.case_id, []).append(e)
    assert timelines.keys() == cases.keys()
    for pk, events in timelines.items():
        case = cases[pk]
        assert events[0].kind == EventKind.CREATED and events[0].at == case.created_at
        assert events[-1].to_status == case.status
        assert events[-1].level == case.level
        assert sum(e.kind == EventKind.ESCALATED for e in events) == case.escalation_count


def test_rollups_match_the_timeline(generated):
    expected = rollups.rows_from_cases(Case.objects.all())
    assert expected == rollups.rows_in_table()
    mismatches = getattr(rollups, "subtree_mismatches", None)
    if mismatches is not None:
        assert mismatches() == 0


def test_the_sweep_escalates_exactly_the_overdue_cases_once(generated):
    now = timezone.now()
    overdue = Case.objects.filter(status__in=OPEN_STATUSES, deadline__lt=now, level__lt=4)
    before = dict(overdue.values_list("pk", "escalation_count"))
    assert before
    done = 0
    while True:
        n = escalate_overdue_cases(now=now)
        if n == 0:
            break
        done += n
    assert done == len(before)
    after = dict(Case.objects.filter(pk__in=before).values_list("pk", "escalation_count"))
    assert all(after[pk] == count + 1 for pk, count in before.items())
    assert escalate_overdue_cases(now=now) == 0
    assert rollups.rows_from_cases(Case.objects.all()) == rollups.rows_in_table()


def test_actors_log_in_and_tokens_work(generated, settings):
    # The generator hashed the passwords with the project's real hasher, not the tests' fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    actors = generated["actors"]
    assert set(actors) >= {
        "resident",
        "grid_worker",
        "community_secretary",
        "street_secretary",
        "county_secretary",
        "city",
        "department_staff",
    }
    for role, actor in actors.items():
        client = Client()
        login = client.post(reverse("login"), {"username": actor["username"], "password": actor["password"]})
        assert login.status_code == 302, role  # the login form redirects only on success
        assert client.get("/").status_code == 200, role
        if actor["person_id"]:
            assert Post.objects.filter(person_id=actor["person_id"]).exists() or role == "resident"
    grid_worker = actors["grid_worker"]
    queue = Case.objects.filter(owner_person_id=grid_worker["person_id"], status__in=OPEN_STATUSES)
    assert queue.exists()
    for role in ("resident", "grid_worker", "street_secretary"):
        response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {actors[role]['token']}")
        assert response.status_code == 200, role
        assert response.json()["username"] == actors[role]["username"]
    assert connection.settings_dict["NAME"] == generated["database"]
