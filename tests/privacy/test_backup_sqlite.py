"""The SQLite path of backup/restore (the `make run` demo database), end to end in subprocesses: a
fresh SQLite file is migrated and filled, backed up encrypted, and restored into another fresh file;
every table's row count and a checksum of its rows must come back, and so must the media files.

The rest of the suite runs on PostgreSQL; this test alone points DATABASE_URL at temporary SQLite files
(the application's own settings, no override), which is what the demo does."""

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from muling.privacy import backup

ROOT = Path(__file__).resolve().parents[2]

FILL = """
from pathlib import Path
from django.conf import settings
from muling.cases import services
from muling.cases.enums import Channel
from muling.cases.models import Category
from tests.factories import World

w = World.build()
services.case_submit(
    category=Category.objects.get(code="sanitation"), text="楼道灯坏了", channel=Channel.WEB,
    reporter=w.users["resident"], household=w.households["home"],
)
photo = Path(settings.MEDIA_ROOT) / "cases" / "2026" / "a.jpg"
photo.parent.mkdir(parents=True, exist_ok=True)
photo.write_bytes(b"not really a photo, only bytes to carry")
"""


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def environment(tmp: Path, name: str, key: str | None) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REDIS_URL", "CELERY_BROKER_URL", "MULING_BACKUP_KEY")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / name}.sqlite3",
        MEDIA_ROOT=str(tmp / f"{name}-media"),
        MULING_VAR_DIR=str(tmp / f"{name}-var"),
        SECRET_KEY="sqlite-backup-test-secret-key-0123456789",
        DJANGO_SETTINGS_MODULE="muling.settings",
    )
    if key:
        env["MULING_BACKUP_KEY"] = key
    return env


def table_digests(path: Path) -> dict[str, tuple[int, str]]:
    """Row count and a SHA-256 over every row (in rowid order) of every table."""
    db = sqlite3.connect(path)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        result = {}
        for table in tables:
            rows = db.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
            result[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return result
    finally:
        db.close()


def test_sqlite_round_trip_encrypted_with_row_checksums_and_media(tmp_path):
    key = backup.generate_key()
    source = environment(tmp_path, "source", key)
    for step in (("migrate", "--noinput"), ("shell", "-c", FILL)):
        done = manage(source, *step)
        assert done.returncode == 0, done.stderr
    before = table_digests(tmp_path / "source.sqlite3")
    assert before["cases_case"][0] == 1 and before["people_person"][0] > 10

    archive = tmp_path / "muling.tar.gz.enc"
    done = manage(source, "backup", "-o", str(archive))
    assert done.returncode == 0, done.stderr
    assert "encrypted backup" in done.stdout and backup.is_encrypted(archive)
    assert "王秀兰".encode() not in archive.read_bytes()

    # Without the key, a fresh site refuses and creates nothing.
    fresh_without_key = environment(tmp_path, "fresh", None)
    refused = manage(fresh_without_key, "restore", str(archive), "--yes")
    assert refused.returncode != 0 and "MULING_BACKUP_KEY" in refused.stderr
    assert not (tmp_path / "fresh.sqlite3").exists()

    fresh = environment(tmp_path, "fresh", key)
    done = manage(fresh, "restore", str(archive), "--yes")
    assert done.returncode == 0, done.stderr
    assert "row counts match" in done.stdout
    assert table_digests(tmp_path / "fresh.sqlite3") == before
    restored = Path(fresh["MEDIA_ROOT"]) / "cases" / "2026" / "a.jpg"
    assert restored.read_bytes() == b"not really a photo, only bytes to carry"
