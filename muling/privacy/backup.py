"""One archive holds the whole platform: the database and the uploaded media, with a manifest.

The manifest records the row count of every table and the SHA-256 of every file in the archive, so a
restore can refuse a damaged archive before it touches anything, and can prove afterwards that the
database holds what was backed up. The database is the one `django.db.connection` points at (its
settings_dict), which is what lets the round-trip test run against pytest's test database.

PostgreSQL is dumped with `pg_dump --format=custom` and restored with `pg_restore --clean --if-exists`
in a single transaction; SQLite is copied with the sqlite3 online-backup API in both directions.

With a key (`MULING_BACKUP_KEY`, a Fernet key) the tar.gz is encrypted as a whole: a header line, then
length-prefixed Fernet tokens of up to 4 MiB each, every token carrying its sequence number and a
"last" flag. Fernet authenticates each token (AES-128-CBC + HMAC-SHA256), and the numbering makes a
reordered, cut or extended file fail too, so an encrypted archive is also tamper-evident; memory stays
bounded for archives of any size. Restore recognises the header and refuses without the key.
"""

import binascii
import hashlib
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
CHUNK = 1024 * 1024
KEY_ENV = "MULING_BACKUP_KEY"
ENCRYPTED_MAGIC = b"MULING-BACKUP-FERNET-1\n"
ENCRYPTED_CHUNK = 4 * 1024 * 1024
_LENGTH = struct.Struct(">I")  # bytes of the token that follows
_HEADER = struct.Struct(">QB")  # inside each token: sequence number, 1 if it is the last


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


@dataclass
class RestoreResult:
    tables: int
    rows: int
    media_files: int


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"backup supports PostgreSQL and SQLite, not {vendor}")
    return vendor


def table_counts() -> dict[str, int]:
    """Rows in every table of the current database (Django's and any other), by table name."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def media_files(root: Path) -> dict[str, Path]:
    """Regular files under MEDIA_ROOT by their POSIX path relative to it (symlinks are not followed)."""
    found: dict[str, Path] = {}
    if not root.is_dir():
        return found
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                found[path.relative_to(root).as_posix()] = path
    return dict(sorted(found.items()))


# ---- the database ----------------------------------------------------------------------------------


def _pg_args(db: dict) -> tuple[list[str], dict[str, str]]:
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client tools are needed)")
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def _dump_database(target_dir: Path) -> str:
    db = connection.settings_dict
    if _engine() == "postgresql":
        name = "database.dump"
        args, env = _pg_args(db)
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                *args,
                "--file",
                str(target_dir / name),
                db["NAME"],
            ],
            env,
        )
        return name
    name = "database.sqlite3"
    connection.ensure_connection()
    dest = sqlite3.connect(target_dir / name)
    try:
        connection.connection.backup(dest)
    finally:
        dest.close()
    return name


def _restore_database(dump: Path, engine: str) -> None:
    db = connection.settings_dict
    connection.close()  # pg_restore drops and recreates tables: our own session must not hold them
    if engine == "postgresql":
        args, env = _pg_args(db)
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                *args,
                "--dbname",
                db["NAME"],
                str(dump),
            ],
            env,
        )
        return
    source = sqlite3.connect(dump)
    dest = sqlite3.connect(db["NAME"])
    try:
        source.backup(dest)
    finally:
        source.close()
        dest.close()


# ---- encryption -------------------------------------------------------------------------------------


def key_from_env() -> str | None:
    return os.environ.get(KEY_ENV) or None


def _fernet(key: str | bytes) -> Fernet:
    try:
        return Fernet(key.encode() if isinstance(key, str) else key)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise BackupError(
            f"{KEY_ENV} is not a valid key (32 url-safe base64-encoded bytes); make one with "
            "`manage.py backup --generate-key`"
        ) from exc


def generate_key() -> str:
    return Fernet.generate_key().decode()


def is_encrypted(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(len(ENCRYPTED_MAGIC)) == ENCRYPTED_MAGIC


def encrypt_file(source: Path, target: Path, key: str | bytes) -> None:
    fernet = _fernet(key)
    with open(source, "rb") as src, open(target, "wb") as dst:
        dst.write(ENCRYPTED_MAGIC)
        index, chunk = 0, src.read(ENCRYPTED_CHUNK)
        while True:
            following = src.read(ENCRYPTED_CHUNK)
            token = fernet.encrypt(_HEADER.pack(index, 0 if following else 1) + chunk)
            dst.write(_LENGTH.pack(len(token)) + token)
            if not following:
                return
            index, chunk = index + 1, following


def decrypt_file(source: Path, target: Path, key: str | bytes) -> None:
    """Raises BackupError for a wrong key or an altered, reordered, cut or extended file."""
    fernet = _fernet(key)
    with open(source, "rb") as src, open(target, "wb") as dst:
        if src.read(len(ENCRYPTED_MAGIC)) != ENCRYPTED_MAGIC:
            raise BackupError("archive is not an encrypted Muling backup")
        index = 0
        while True:
            length = src.read(_LENGTH.size)
            if len(length) < _LENGTH.size:
                raise BackupError("archive is corrupt: the encrypted archive is truncated")
            (size,) = _LENGTH.unpack(length)
            token = src.read(size)
            if len(token) < size:
                raise BackupError("archive is corrupt: the encrypted archive is truncated")
            try:
                plain = fernet.decrypt(token)
            except InvalidToken:
                raise BackupError(
                    f"cannot decrypt the archive: {KEY_ENV} is not the key it was written with, "
                    "or the archive is corrupt"
                ) from None
            seq, last = _HEADER.unpack_from(plain)
            if seq != index:
                raise BackupError("archive is corrupt: encrypted blocks are out of order")
            dst.write(plain[_HEADER.size :])
            if last:
                if src.read(1):
                    raise BackupError("archive is corrupt: data after the last encrypted block")
                return
            index += 1


# ---- backup ----------------------------------------------------------------------------------------


def default_archive_path(*, encrypted: bool = False) -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    suffix = ".tar.gz.enc" if encrypted else ".tar.gz"
    return Path(settings.BASE_DIR) / "var" / "backups" / f"muling-{stamp}{suffix}"


def backup(archive: Path | None = None, *, key: str | bytes | None = None) -> tuple[Path, dict]:
    """Write database + media + manifest into one tar.gz (encrypted with `key` if given); return its
    path and the manifest."""
    engine = _engine()
    if key:
        _fernet(key)  # a bad key is refused before any work
    archive = Path(archive or default_archive_path(encrypted=bool(key)))
    archive.parent.mkdir(parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="muling-backup-") as tmp:
        tmp_dir = Path(tmp)
        # Counts first, dump second: on a live site rows written in between appear in the dump but not
        # the counts; restore reports such a difference instead of hiding it.
        counts = table_counts()
        db_file = _dump_database(tmp_dir)
        files = media_files(media_root)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "engine": engine,
            "database": {"file": db_file, "sha256": sha256_of(tmp_dir / db_file)},
            "tables": counts,
            "media": {rel: sha256_of(path) for rel, path in files.items()},
        }
        (tmp_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        partial = archive.with_name(archive.name + ".partial")
        plain = tmp_dir / "archive.tar.gz" if key else partial
        with tarfile.open(plain, "w:gz") as tar:
            tar.add(tmp_dir / MANIFEST, arcname=MANIFEST)
            tar.add(tmp_dir / db_file, arcname=db_file)
            for rel, path in files.items():
                tar.add(path, arcname=f"{MEDIA_DIR}/{rel}")
        if key:
            encrypt_file(plain, partial, key)  # the clear archive stays in the private temporary dir
        partial.replace(archive)  # a crash mid-write never leaves a plausible-looking archive
    return archive, manifest


# ---- restore ---------------------------------------------------------------------------------------


def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name.strip() != ""


def unpack_and_verify(archive: Path, into: Path) -> dict:
    """Extract `archive` into `into` and check it against its manifest. Raises BackupError."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"no such archive: {archive}")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            for member in members:
                if not _safe_member_name(member.name) or not (member.isfile() or member.isdir()):
                    raise BackupError(f"archive is corrupt or unsafe: unexpected member {member.name!r}")
            tar.extractall(into, filter="data")
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(f"archive is corrupt: cannot read it ({exc})") from exc
    try:
        manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"archive is corrupt: no readable {MANIFEST}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"archive format {manifest.get('format')!r} is not supported (expected {FORMAT})")

    expected = {manifest["database"]["file"]: manifest["database"]["sha256"]}
    expected.update({f"{MEDIA_DIR}/{rel}": digest for rel, digest in manifest.get("media", {}).items()})
    for name, digest in expected.items():
        if not _safe_member_name(name):
            raise BackupError(f"archive is corrupt or unsafe: manifest names {name!r}")
        path = into / name
        if not path.is_file():
            raise BackupError(f"archive is corrupt: {name} is missing")
        if sha256_of(path) != digest:
            raise BackupError(f"archive is corrupt: checksum of {name} does not match the manifest")
    present = {m.name for m in members if m.isfile()} - {MANIFEST}
    extra = sorted(present - set(expected))
    if extra:
        raise BackupError(f"archive is corrupt: files not in the manifest: {', '.join(extra[:5])}")
    return manifest


def restore(archive: Path, *, key: str | bytes | None = None) -> RestoreResult:
    """Replace the database and media with the archive's. Nothing is touched unless every checksum in
    the manifest matches (and, for an encrypted archive, it decrypts with `key`); afterwards every
    table's row count is compared with the manifest."""
    engine = _engine()
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"no such archive: {archive}")
    with tempfile.TemporaryDirectory(prefix="muling-restore-") as tmp:
        tmp_dir = Path(tmp)
        if is_encrypted(archive):
            if not key:
                raise BackupError(
                    f"archive is encrypted: set {KEY_ENV} to the key it was written with (nothing was changed)"
                )
            plain = tmp_dir / "archive.tar.gz"
            decrypt_file(archive, plain, key)
            archive = plain
            tmp_dir = tmp_dir / "unpacked"
            tmp_dir.mkdir()
        manifest = unpack_and_verify(archive, tmp_dir)
        if manifest["engine"] != engine:
            raise BackupError(f"archive holds a {manifest['engine']} database; this site uses {engine}")

        _restore_database(tmp_dir / manifest["database"]["file"], engine)

        media_root = Path(settings.MEDIA_ROOT)
        wanted = manifest.get("media", {})
        for rel, path in media_files(media_root).items():
            if rel not in wanted:
                path.unlink()
        for rel in wanted:
            target = media_root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(tmp_dir / MEDIA_DIR / rel, target)

    counts = table_counts()
    differ = sorted(t for t in manifest["tables"] if counts.get(t) != manifest["tables"][t])
    if differ:
        raise BackupError(
            "restored, but row counts differ from the manifest in: "
            + ", ".join(f"{t} ({counts.get(t)} ≠ {manifest['tables'][t]})" for t in differ[:10])
        )
    return RestoreResult(tables=len(counts), rows=sum(counts.values()), media_files=len(wanted))
