"""The encrypted archive format: Fernet tokens in sequence, each numbered and the last one flagged, so a
wrong key, an altered byte, reordered, dropped or appended blocks are all refused."""

import os
import struct

import pytest

from muling.privacy import backup


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(backup, "ENCRYPTED_CHUNK", 64)


@pytest.fixture
def encrypted(tmp_path, small_blocks):
    key = backup.generate_key()
    plain = tmp_path / "plain.bin"
    plain.write_bytes(os.urandom(64 * 3 + 10))  # four blocks
    target = tmp_path / "archive.enc"
    backup.encrypt_file(plain, target, key)
    return key, plain, target


def blocks(path) -> list[bytes]:
    data = path.read_bytes()[len(backup.ENCRYPTED_MAGIC) :]
    found = []
    while data:
        (size,) = struct.unpack(">I", data[:4])
        found.append(data[: 4 + size])
        data = data[4 + size :]
    return found


def rewrite(path, parts: list[bytes]) -> None:
    path.write_bytes(backup.ENCRYPTED_MAGIC + b"".join(parts))


def test_round_trip(tmp_path, encrypted):
    key, plain, target = encrypted
    assert backup.is_encrypted(target) and len(blocks(target)) == 4
    out = tmp_path / "out.bin"
    backup.decrypt_file(target, out, key)
    assert out.read_bytes() == plain.read_bytes()


def test_an_empty_file_round_trips(tmp_path, small_blocks):
    key = backup.generate_key()
    (tmp_path / "empty").write_bytes(b"")
    backup.encrypt_file(tmp_path / "empty", tmp_path / "e.enc", key)
    backup.decrypt_file(tmp_path / "e.enc", tmp_path / "e.out", key)
    assert (tmp_path / "e.out").read_bytes() == b""


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda parts: [parts[1], parts[0], *parts[2:]], "out of order"),
        (lambda parts: parts[:-1], "truncated"),
        (lambda parts: [*parts, parts[-1]], "after the last"),
        (lambda parts: [parts[0][:-3] + b"AAA", *parts[1:]], "cannot decrypt"),
    ],
    ids=["reordered", "last block dropped", "block appended", "byte altered"],
)
def test_damage_is_refused(tmp_path, encrypted, damage, message):
    key, _plain, target = encrypted
    rewrite(target, damage(blocks(target)))
    with pytest.raises(backup.BackupError, match=message):
        backup.decrypt_file(target, tmp_path / "out.bin", key)


def test_a_wrong_key_is_refused(tmp_path, encrypted):
    _key, _plain, target = encrypted
    with pytest.raises(backup.BackupError, match="cannot decrypt"):
        backup.decrypt_file(target, tmp_path / "out.bin", backup.generate_key())
