"""Opening the database: SQLCipher with a raw 256-bit key, or plain SQLite for benchmarks."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3

# Both drivers share the DB-API shape; errors come from either module.
DatabaseError = (sqlite3.DatabaseError, sqlcipher3.dbapi2.DatabaseError)
IntegrityError = (sqlite3.IntegrityError, sqlcipher3.dbapi2.IntegrityError)

Connection = Any  # sqlite3.Connection or sqlcipher3.Connection


class StoreOpenError(Exception):
    """The database could not be opened with the key that unlocked it."""


def _common_pragmas(conn: Connection) -> None:
    # Temporary tables and sort spills stay in memory: never an unencrypted temp file.
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    # FULL: a committed save survives a crash or a power cut, not only a killed process.
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA busy_timeout = 5000")


def make_private(path: Path) -> None:
    """Only the practitioner's own account may read or write the store's files: the folder
    0700, the database and its WAL, shared memory and journal files 0600 (on systems with file
    modes; elsewhere the user profile's permissions apply)."""
    with contextlib.suppress(OSError):
        os.chmod(path.parent, 0o700)
    for suffix in ("", "-wal", "-shm", "-journal"):
        candidate = path.with_name(path.name + suffix)
        with contextlib.suppress(OSError):
            if candidate.exists():
                os.chmod(candidate, 0o600)


def open_encrypted(path: Path, data_key: bytes) -> Connection:
    """Open (or create) the SQLCipher database at ``path`` with a raw 32-byte key."""
    if len(data_key) != 32:
        raise ValueError("the data key must be 32 bytes")
    path = Path(path)
    if not path.exists():  # made 0600 before SQLite sees it; its WAL and SHM copy the mode
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    make_private(path)
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA key = \"x'{data_key.hex()}'\"")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except DatabaseError as exc:
        conn.close()
        raise StoreOpenError(
            "The local records could not be opened with this key. The database file may be "
            "damaged or belong to a different key file."
        ) from exc
    _common_pragmas(conn)
    return conn


def open_plain(path: Path) -> Connection:
    """Plain, unencrypted SQLite: used only by the benchmark to measure the encryption cost."""
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    _common_pragmas(conn)
    return conn


@contextmanager
def transaction(conn: Connection) -> Iterator[Connection]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
