"""Opening the database: SQLCipher with a raw 256-bit key, or plain SQLite for benchmarks."""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3

from ..crypto.memory import hex_key_statement, wipe_bytes, wipe_str


def _load_library() -> ctypes.CDLL | None:
    try:
        lib = ctypes.CDLL(importlib.import_module("sqlcipher3._sqlite3").__file__)
        lib.sqlite3_key.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
        lib.sqlite3_key.restype = ctypes.c_int
        lib.sqlite3_db_filename.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.sqlite3_db_filename.restype = ctypes.c_char_p
        return lib
    except (OSError, AttributeError):
        return None


_LIB = _load_library()

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


def _native_handle(conn: Connection, path: Path) -> int | None:
    """The connection's ``sqlite3 *`` (the first field after the object header in the
    driver's Connection struct), checked by asking SQLite for the file it has open."""
    if _LIB is None or sys.implementation.name != "cpython":
        return None
    handle = ctypes.c_void_p.from_address(id(conn) + object.__basicsize__).value
    if not handle:
        return None
    name = _LIB.sqlite3_db_filename(ctypes.c_void_p(handle), b"main")
    expected = os.path.realpath(path)
    return handle if name and os.path.realpath(os.fsdecode(name)) == expected else None


def _apply_key(conn: Connection, path: Path, data_key: bytes) -> None:
    """Give SQLCipher the raw key without ever making a Python str or bytes of it.

    The ``x'<hex>'`` form is built in a bytearray and handed to ``sqlite3_key`` by pointer,
    then zeroed; SQLCipher keeps its own copy in memory it wipes when the database is closed.
    Where the native call is not available, the PRAGMA statement is built from the same
    bytearray and the string overwritten after use (the driver's copy is freed at close).
    """
    statement = hex_key_statement(data_key)
    try:
        handle = _native_handle(conn, path)
        if handle is not None and _LIB is not None:
            buffer = (ctypes.c_char * len(statement)).from_buffer(statement)
            if _LIB.sqlite3_key(ctypes.c_void_p(handle), buffer, len(statement)) == 0:
                del buffer
                return
            del buffer
        sql = 'PRAGMA key = "' + statement.decode("ascii") + '"'
        try:
            conn.execute(sql)
        finally:
            wipe_str(sql)
    finally:
        wipe_bytes(statement)


def open_encrypted(path: Path, data_key: bytes) -> Connection:
    """Open (or create) the SQLCipher database at ``path`` with a raw 32-byte key."""
    if len(data_key) != 32:
        raise ValueError("the data key must be 32 bytes")
    path = Path(path)
    if not path.exists():  # made 0600 before SQLite sees it; its WAL and SHM copy the mode
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    make_private(path)
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    _apply_key(conn, path, data_key)
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
