"""Backup and restore round trip on the real database: row counts of every table and media checksums
come back exactly; a damaged archive is refused before anything is touched."""

import io
import tarfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from PIL import Image

from muling.cases.models import Case, CasePhoto
from muling.people.models import Person
from muling.privacy import backup

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the round trip is tested on PostgreSQL (pg_dump/pg_restore)"
)


def png(name="photo.png", colour=(200, 30, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def data(world, report, media):
    first = report(photo_uploads=[png()])
    report(text="小区门口路灯不亮", photo_uploads=[png("b.png", (10, 200, 10))])
    report(user="neighbour", text="邻居反映的噪音问题")
    return first


def media_checksums(root) -> dict[str, str]:
    return {rel: backup.sha256_of(path) for rel, path in backup.media_files(root).items()}


@pytest.mark.django_db(transaction=True)
def test_round_trip_restores_every_table_and_every_file(data, media, tmp_path):
    assert CasePhoto.objects.count() == 2
    counts_before, files_before = backup.table_counts(), media_checksums(media)
    assert files_before and counts_before["cases_case"] == 3
    archive = tmp_path / "b.tar.gz"
    call_command("backup", "--output", str(archive), stdout=io.StringIO())

    # Damage after the backup: delete a case with its photos, rename a person, add a file, break one.
    photo = CasePhoto.objects.first()
    Case.objects.filter(pk=data.pk).delete()
    Person.objects.filter(name="王秀兰").update(name="改名")
    (media / "stray.txt").write_text("not in the backup")
    (media / photo.image.name).write_bytes(b"overwritten")

    out = io.StringIO()
    call_command("restore", str(archive), "--yes", stdout=out)
    assert "row counts match" in out.getvalue()
    assert backup.table_counts() == counts_before
    assert media_checksums(media) == files_before
    assert Case.objects.filter(pk=data.pk).exists() and Person.objects.filter(name="王秀兰").exists()


@pytest.mark.django_db(transaction=True)
def test_a_corrupt_archive_is_refused_before_anything_changes(data, media, tmp_path):
    archive = tmp_path / "b.tar.gz"
    call_command("backup", "--output", str(archive), stdout=io.StringIO())
    # Rebuild the archive with one media file altered: the tar is valid, the checksum is not.
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src.getmembers():
            content = src.extractfile(member).read() if member.isfile() else None
            if member.name.startswith("media/") and content is not None:
                content = content + b"x"
                member.size = len(content)
            dst.addfile(member, io.BytesIO(content) if content is not None else None)
    Person.objects.filter(name="王秀兰").update(name="改名")
    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", str(tampered), "--yes")
    assert Person.objects.filter(name="改名").exists()  # untouched

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[:200])
    with pytest.raises(CommandError, match="corrupt"):
        call_command("restore", str(truncated), "--yes")
    assert Person.objects.filter(name="改名").exists()


@pytest.mark.django_db(transaction=True)
def test_an_archive_with_a_path_outside_is_refused(db, media, tmp_path):
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        info = tarfile.TarInfo("../escape.txt")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"bad"))
    with pytest.raises(CommandError, match="unsafe"):
        call_command("restore", str(evil), "--yes")
    assert not (tmp_path.parent / "escape.txt").exists()


# ---- encrypted archives (MULING_BACKUP_KEY) ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_encrypted_archive_round_trips_with_the_key(data, media, tmp_path, monkeypatch):
    monkeypatch.setenv(backup.KEY_ENV, backup.generate_key())
    counts_before, files_before = backup.table_counts(), media_checksums(media)
    archive = tmp_path / "b.tar.gz.enc"
    out = io.StringIO()
    call_command("backup", "--output", str(archive), stdout=out)
    assert "encrypted backup" in out.getvalue() and backup.is_encrypted(archive)
    with pytest.raises(tarfile.TarError):
        tarfile.open(archive).close()  # not a readable tar without the key

    Case.objects.filter(pk=data.pk).delete()
    (media / "stray.txt").write_text("not in the backup")
    call_command("restore", str(archive), "--yes", stdout=io.StringIO())
    assert backup.table_counts() == counts_before
    assert media_checksums(media) == files_before


@pytest.mark.django_db(transaction=True)
def test_an_encrypted_archive_is_refused_without_the_right_key_and_nothing_changes(
    data, media, tmp_path, monkeypatch
):
    monkeypatch.setenv(backup.KEY_ENV, backup.generate_key())
    archive = tmp_path / "b.tar.gz.enc"
    call_command("backup", "--output", str(archive), stdout=io.StringIO())
    Person.objects.filter(name="王秀兰").update(name="改名")

    monkeypatch.delenv(backup.KEY_ENV)
    with pytest.raises(CommandError, match="encrypted: set MULING_BACKUP_KEY"):
        call_command("restore", str(archive), "--yes")
    monkeypatch.setenv(backup.KEY_ENV, backup.generate_key())
    with pytest.raises(CommandError, match="cannot decrypt"):
        call_command("restore", str(archive), "--yes")
    monkeypatch.setenv(backup.KEY_ENV, "not-a-key")
    with pytest.raises(CommandError, match="not a valid key"):
        call_command("restore", str(archive), "--yes")
    assert Person.objects.filter(name="改名").exists()  # untouched


def test_a_bad_key_is_refused_before_a_backup_starts(db, media, tmp_path, monkeypatch):
    monkeypatch.setenv(backup.KEY_ENV, "too-short")
    with pytest.raises(CommandError, match="not a valid key"):
        call_command("backup", "--output", str(tmp_path / "x.enc"))
    assert not list(tmp_path.glob("x.enc*"))
