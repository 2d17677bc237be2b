"""Only the practitioner's account can read the store: folder 0700, every file 0600."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from cse_desktop.crypto import KdfParams
from cse_desktop.records import Actor, RecordType, Role
from cse_desktop.store import Store

PASSPHRASE = "a long enough passphrase"
pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def _modes(data_dir: Path) -> dict[str, str]:
    return {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in [data_dir, *data_dir.iterdir()]}


def _busy_store(data_dir: Path, make_record) -> Store:
    store = Store.unlock(data_dir, PASSPHRASE) if Store.exists(data_dir) else Store.create(
        data_dir, PASSPHRASE, kdf=KdfParams.fast_for_tests())
    actor = Actor("u", "Worker", Role.OUTREACH_WORKER, store.device_id)
    store.add(make_record(RecordType.CHILD, {"first_name": "Ines"}, actor=actor), actor)
    return store


def test_new_store_files_are_private(tmp_path: Path, make_record) -> None:
    old_umask = os.umask(0o022)  # a typical desktop umask: new files 0644 unless we say
    try:
        data_dir = tmp_path / "data"
        store = _busy_store(data_dir, make_record)
        modes = _modes(data_dir)
        assert {"records.db", "records.db-wal", "records.db-shm", "records.key"} <= set(modes)
        assert modes.pop("data") == "0o700"
        assert set(modes.values()) == {"0o600"}, modes
        store.lock()
    finally:
        os.umask(old_umask)


def test_an_older_store_with_open_modes_is_made_private_at_unlock(tmp_path: Path,
                                                                  make_record) -> None:
    old_umask = os.umask(0o022)
    try:
        data_dir = tmp_path / "data"
        _busy_store(data_dir, make_record).lock()
        os.chmod(data_dir, 0o755)
        for path in data_dir.iterdir():
            os.chmod(path, 0o644)
        store = _busy_store(data_dir, make_record)
        modes = _modes(data_dir)
        assert modes.pop("data") == "0o700"
        assert set(modes.values()) == {"0o600"}, modes
        store.lock()
    finally:
        os.umask(old_umask)
