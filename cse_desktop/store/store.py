"""The encrypted local store: one SQLCipher database and its key file in the data directory.

Every change is written together with its audit row and its outbox entry in one transaction, so
a crash either keeps all three or none.  Signed records are immutable (checked here and by a
database trigger); corrections are addenda that reference the original.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from ..clock import SYSTEM_CLOCK, Clock
from ..crypto.keyfile import KdfParams, KeyFile
from ..crypto.memory import wipe_bytes
from ..records import (
    SIGNABLE_TYPES,
    Actor,
    Record,
    RecordState,
    RecordType,
    Signature,
    from_iso,
    new_id,
    to_iso,
)
from . import audit, caseload_index
from .connection import Connection, IntegrityError, open_encrypted, open_plain, transaction
from .migrations import CASELOAD_SCHEMA_VERSION, FTS_SCHEMA_VERSION, migrate, schema_version

DB_NAME = "records.db"
KEY_NAME = "records.key"

P = ParamSpec("P")
T = TypeVar("T")


class StoreError(Exception):
    """Base class for problems the user can act on."""


class StoreLocked(StoreError):
    def __init__(self) -> None:
        super().__init__("The records are locked. Unlock them with your passphrase.")


class RecordNotFound(StoreError):
    def __init__(self, record_id: str) -> None:
        self.record_id = record_id
        super().__init__("That record could not be found. It may have been removed.")


class RecordsMissing(StoreError):
    """The key file is there but the database beside it is missing or empty."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        super().__init__(
            f"Your passphrase is right, but the records file ({db_path.name}) in "
            f"{db_path.parent} is missing or empty, so nothing was opened and nothing was "
            "changed. Put the records file back from your backup into that folder (or ask your "
            "IT team to), then unlock again. Do not set the app up again: your unsynced work "
            "is in that file.")


class SignedRecordImmutable(StoreError):
    def __init__(self, record_id: str) -> None:
        self.record_id = record_id
        super().__init__(
            "This record has been signed and cannot be changed. Add an addendum to correct it."
        )


class StaleRevision(StoreError):
    def __init__(self, record_id: str, expected: int, actual: int) -> None:
        self.record_id, self.expected, self.actual = record_id, expected, actual
        super().__init__(
            "This record was changed somewhere else while you were editing it. "
            "Reopen it to see the latest version."
        )


@dataclass(frozen=True)
class RecordIndex:
    """What lists, search and measures need from a record, worked out by the services."""

    occurred_at: str | None
    title: str
    text: str
    risk_level: str | None = None


Indexer = Callable[[Record], RecordIndex]


def default_indexer(record: Record) -> RecordIndex:
    words = [str(v) for v in record.data.values() if isinstance(v, str)]
    return RecordIndex(to_iso(record.created_at), record.record_type.label, " ".join(words))


@dataclass(frozen=True)
class SearchHit:
    record_id: str
    child_id: str | None
    record_type: RecordType
    title: str
    snippet: str


@dataclass(frozen=True)
class RecordTimestamp:
    """The partnership time service's RFC 3161 token over a signed record's content
    fingerprint: proof that the record existed, as it is, by ``gen_time`` at the latest."""

    record_id: str
    revision: int
    content_sha256: str  # hex, as printed on the record's PDF
    token: bytes  # DER ContentInfo (SignedData over a TSTInfo)
    gen_time: datetime
    authority: str  # the time service's name, from its certificate


@dataclass(frozen=True)
class OutboxChange:
    seq: int
    change_id: str
    record_id: str
    base_revision: int
    record: Record


def _locked(method: Callable[P, T]) -> Callable[P, T]:
    """Serialise access to the connection and refuse to work while locked."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        self = args[0]
        with self._mutex:  # type: ignore[attr-defined]
            if self._conn is None:  # type: ignore[attr-defined]
                raise StoreLocked()
            return method(*args, **kwargs)

    return wrapper


_RECORD_COLUMNS = (
    "id, record_type, form_id, form_version, child_id, state, data, author, device_id, "
    "created_at, updated_at, revision, signed_by, signer_role, signed_at, signature_png, "
    "amends_id, deleted"
)


def _row_to_record(row: tuple[Any, ...]) -> Record:
    signature = None
    if row[12] is not None:
        signed_at = from_iso(row[14])
        assert signed_at is not None
        signature = Signature(row[12], row[13] or "", signed_at, row[15])
    created_at, updated_at = from_iso(row[9]), from_iso(row[10])
    assert created_at is not None and updated_at is not None
    return Record(
        id=row[0],
        record_type=RecordType(row[1]),
        form_id=row[2],
        form_version=row[3],
        child_id=row[4],
        state=RecordState(row[5]),
        data=json.loads(row[6]),
        author=row[7],
        device_id=row[8],
        created_at=created_at,
        updated_at=updated_at,
        revision=row[11],
        signature=signature,
        amends_id=row[16],
        deleted=bool(row[17]),
    )


# Letters that Unicode does not decompose into a base letter plus an accent, so the search
# tokenizer's diacritic removal leaves them alone ("Łukasz" would not be found as "Lukasz").
_FOLD = str.maketrans({"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d", "ß": "ss",
                       "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Þ": "Th", "þ": "th",
                       "ı": "i", "Ħ": "H", "ħ": "h"})


def fold_for_search(text: str) -> str:
    return text.translate(_FOLD)


def search_text(text: str) -> str:
    """The indexed text: as written, plus plain-letter spellings of words that need them."""
    extra = {folded for word in text.split() if (folded := fold_for_search(word)) != word}
    return text + (" " + " ".join(sorted(extra)) if extra else "")


def fts_query(text: str) -> str:
    """Turn what a practitioner typed into a safe FTS5 prefix query ('' when nothing to find)."""
    terms = [fold_for_search(t).replace('"', "") for t in text.split()]
    return " ".join(f'"{t}"*' for t in terms if t)


class Store:
    """The practitioner's records on this device."""

    def __init__(self, data_dir: Path, conn: Connection, data_key: bytes | None,
                 indexer: Indexer | None = None, clock: Clock = SYSTEM_CLOCK) -> None:
        self.data_dir = Path(data_dir)
        self.clock = clock
        self._conn: Connection | None = conn
        self._data_key = bytearray(data_key) if data_key else None
        self._mutex = threading.RLock()
        self._scrub_due = False  # a purge committed: merge the index, empty the WAL
        self.indexer: Indexer = indexer or default_indexer
        before = schema_version(conn)
        migrate(conn)
        if 0 < before < FTS_SCHEMA_VERSION:
            self.reindex()  # records saved before search existed get indexed now
        elif 0 < before < CASELOAD_SCHEMA_VERSION:
            self.rebuild_caseload_index()
        # A purge committed just before the app stopped: finish scrubbing it now.
        self._scrub_due = conn.execute(
            "SELECT 1 FROM meta WHERE key = 'scrub_due'").fetchone() is not None
        self._scrub_wal()

    # -- lifecycle -----------------------------------------------------------------------------

    @staticmethod
    def db_path(data_dir: Path) -> Path:
        return Path(data_dir) / DB_NAME

    @staticmethod
    def key_file(data_dir: Path) -> KeyFile:
        return KeyFile(Path(data_dir) / KEY_NAME)

    @classmethod
    def exists(cls, data_dir: Path) -> bool:
        return cls.key_file(data_dir).exists()

    @classmethod
    def create(
        cls,
        data_dir: Path,
        passphrase: str,
        *,
        kdf: KdfParams | None = None,
        recovery_public_key: X25519PublicKey | None = None,
        indexer: Indexer | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> Store:
        data_dir = Path(data_dir)
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if cls.db_path(data_dir).exists() or cls.key_file(data_dir).exists():
            raise StoreError(f"There are already records in {data_dir}. Unlock them with "
                             "your passphrase instead of setting up again.")
        data_key = cls.key_file(data_dir).create(
            passphrase, params=kdf, recovery_public_key=recovery_public_key
        )
        try:
            conn = open_encrypted(cls.db_path(data_dir), data_key)
            store = cls(data_dir, conn, data_key, indexer, clock)
        finally:
            wipe_bytes(data_key)  # the store keeps its own copy, wiped at lock
        store.set_meta("device_id", new_id())
        store.set_meta("created_at", to_iso(store.clock.now()))
        return store

    @classmethod
    def unlock(cls, data_dir: Path, passphrase: str, *, indexer: Indexer | None = None,
               clock: Clock = SYSTEM_CLOCK) -> Store:
        """Open the store.  Raises WrongPassphrase or TooManyAttempts from the key file."""
        data_key = cls.key_file(data_dir).unwrap(passphrase)
        try:
            return cls.open_with_key(data_dir, data_key, indexer=indexer, clock=clock)
        finally:
            wipe_bytes(data_key)  # the store keeps its own copy, wiped at lock

    @classmethod
    def open_with_key(cls, data_dir: Path, data_key: bytes, *,
                      indexer: Indexer | None = None, clock: Clock = SYSTEM_CLOCK) -> Store:
        """Open the existing database; never creates a new one next to a key file."""
        db_path = cls.db_path(data_dir)
        if not db_path.exists() or db_path.stat().st_size == 0:
            raise RecordsMissing(db_path)
        conn = open_encrypted(db_path, data_key)  # makes the folder and database private
        with contextlib.suppress(OSError):
            os.chmod(cls.key_file(data_dir).path, 0o600)
        return cls(data_dir, conn, data_key, indexer, clock)

    @classmethod
    def open_plain_for_benchmark(cls, data_dir: Path, indexer: Indexer | None = None,
                                 clock: Clock = SYSTEM_CLOCK) -> Store:
        """The same store on unencrypted SQLite.  Only the benchmark may use this."""
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        store = cls(data_dir, open_plain(Path(data_dir) / "plain.db"), None, indexer, clock)
        store.set_meta("device_id", new_id())
        return store

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    @property
    def _db(self) -> Connection:
        """The open connection, for methods under ``@_locked`` (which has checked it)."""
        if self._conn is None:
            raise StoreLocked()
        return self._conn

    def lock(self) -> None:
        """Close the database and overwrite the key in memory."""
        with self._mutex:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            if self._data_key is not None:
                wipe_bytes(self._data_key)
                self._data_key = None

    close = lock

    def change_passphrase(self, old_passphrase: str, new_passphrase: str) -> None:
        """Rewrap the data key under the new passphrase; the database is not re-encrypted."""
        key_file = self.key_file(self.data_dir)
        data_key = key_file.unwrap(old_passphrase)
        try:
            key_file.rewrap(data_key, new_passphrase)
        finally:
            wipe_bytes(data_key)

    def add_recovery_key(self, public_key: X25519PublicKey) -> None:
        with self._mutex:
            if self._data_key is None:
                raise StoreLocked()
            data_key = bytes(self._data_key)
            try:
                self.key_file(self.data_dir).add_recovery_slot(data_key, public_key)
            finally:
                wipe_bytes(data_key)

    def data_key_for_rescue(self) -> bytes:
        """A copy of the data key, only for sealing a rescue bundle before a wipe."""
        with self._mutex:
            if self._data_key is None:
                raise StoreLocked()
            return bytes(self._data_key)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One atomic unit of work for callers that combine several writes (e.g. sync)."""
        with self._mutex:
            if self._conn is None:
                raise StoreLocked()
            if self._conn.in_transaction:
                yield self._conn
                return
            with transaction(self._conn) as conn, caseload_index.deferred(conn):
                yield conn
            self._scrub_wal()

    # -- settings ------------------------------------------------------------------------------

    @_locked
    def get_meta(self, key: str, default: Any = None) -> Any:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    @_locked
    def set_meta(self, key: str, value: Any) -> None:
        self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value)),
        )

    @property
    def device_id(self) -> str:
        return str(self.get_meta("device_id"))

    # -- writing records -----------------------------------------------------------------------

    def _write_row(self, conn: Connection, record: Record, *, insert: bool) -> None:
        index = self.indexer(record)
        moved_from = None if insert else caseload_index.owner_of(conn, record.id)
        sig = record.signature
        values = (
            record.record_type.value, record.form_id, record.form_version, record.child_id,
            record.state.value, json.dumps(record.data, ensure_ascii=False), record.author,
            record.device_id, to_iso(record.created_at), to_iso(record.updated_at),
            record.revision, sig.signed_by if sig else None, sig.signer_role if sig else None,
            to_iso(sig.signed_at) if sig else None, sig.image_png if sig else None,
            record.amends_id, int(record.deleted), index.occurred_at, index.title,
            index.risk_level,
        )
        if insert:
            conn.execute(
                "INSERT INTO records (record_type, form_id, form_version, child_id, state, data,"
                " author, device_id, created_at, updated_at, revision, signed_by, signer_role,"
                " signed_at, signature_png, amends_id, deleted, occurred_at, title, risk_level,"
                " id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (*values, record.id),
            )
        else:
            conn.execute(
                "UPDATE records SET record_type=?, form_id=?, form_version=?, child_id=?, state=?,"
                " data=?, author=?, device_id=?, created_at=?, updated_at=?, revision=?,"
                " signed_by=?, signer_role=?, signed_at=?, signature_png=?, amends_id=?,"
                " deleted=?, occurred_at=?, title=?, risk_level=? WHERE id=?",
                (*values, record.id),
            )
        rowid = conn.execute("SELECT rowid FROM records WHERE id = ?", (record.id,)).fetchone()[0]
        conn.execute("DELETE FROM records_fts WHERE rowid = ?", (rowid,))
        if not record.deleted and index.text:
            conn.execute("INSERT INTO records_fts (rowid, text) VALUES (?, ?)",
                         (rowid, search_text(index.text)))
        caseload_index.refresh(conn, {moved_from, *caseload_index.children_of(record)})

    def _enqueue(self, conn: Connection, record: Record, base_revision: int) -> None:
        conn.execute(
            "INSERT INTO outbox (change_id, record_id, base_revision, payload, created_at)"
            " VALUES (?,?,?,?,?)",
            (new_id(), record.id, base_revision, json.dumps(record.to_wire(), ensure_ascii=False),
             to_iso(self.clock.now())),
        )

    def _load(self, conn: Connection, record_id: str) -> Record:
        row = conn.execute(
            f"SELECT {_RECORD_COLUMNS} FROM records WHERE id = ?", (record_id,)
        ).fetchone()
        if row is None:
            raise RecordNotFound(record_id)
        return _row_to_record(row)

    @_locked
    def add(self, record: Record, actor: Actor) -> Record:
        """Save a new record (draft or, for imports, already signed)."""
        if record.record_type is RecordType.CHILD and record.child_id is None:
            record = record.with_changes(child_id=record.id)
        with transaction(self._conn) as conn:
            try:
                self._write_row(conn, record, insert=True)
            except IntegrityError as exc:
                raise StoreError("A record with this id already exists.") from exc
            self._enqueue(conn, record, base_revision=0)
            self._audit_row(conn, actor, "create", record_id=record.id, child_id=record.child_id,
                         detail=f"{record.record_type.value} "
                         f"{record.form_id}.v{record.form_version}")
        return record

    @_locked
    def add_many(self, records: list[Record], actor: Actor) -> int:
        """Save many new records in one transaction (imports, demo data, benchmarks)."""
        with transaction(self._conn) as conn, caseload_index.deferred(conn):
            for record in records:
                if record.record_type is RecordType.CHILD and record.child_id is None:
                    record = record.with_changes(child_id=record.id)
                self._write_row(conn, record, insert=True)
                self._enqueue(conn, record, base_revision=0)
                self._audit_row(conn, actor, "create", record_id=record.id,
                             child_id=record.child_id, detail=f"{record.record_type.value} "
                             f"{record.form_id}.v{record.form_version}")
        return len(records)

    @_locked
    def reindex(self) -> int:
        """Rebuild the list columns and the search index from every record."""
        with transaction(self._conn) as conn:
            rows = conn.execute(f"SELECT {_RECORD_COLUMNS} FROM records").fetchall()
            conn.execute("DELETE FROM records_fts")
            for row in rows:
                record = _row_to_record(row)
                index = self.indexer(record)
                rowid = conn.execute("SELECT rowid FROM records WHERE id = ?",
                                     (record.id,)).fetchone()[0]
                conn.execute("UPDATE records SET occurred_at = ?, title = ?, risk_level = ? "
                             "WHERE id = ?", (index.occurred_at, index.title, index.risk_level,
                                              record.id))
                if not record.deleted and index.text:
                    conn.execute("INSERT INTO records_fts (rowid, text) VALUES (?, ?)",
                                 (rowid, search_text(index.text)))
            caseload_index.rebuild(conn)
        return len(rows)

    @_locked
    def update(self, record_id: str, data: dict[str, Any], actor: Actor, *,
               expected_revision: int | None = None, form_version: int | None = None) -> Record:
        """Replace a draft's answers.  Signed records raise SignedRecordImmutable."""
        with transaction(self._conn) as conn:
            current = self._load(conn, record_id)
            if current.is_signed:
                raise SignedRecordImmutable(record_id)
            if expected_revision is not None and expected_revision != current.revision:
                raise StaleRevision(record_id, expected_revision, current.revision)
            changed = sorted(k for k in set(current.data) | set(data)
                             if current.data.get(k) != data.get(k))
            if not changed and form_version in (None, current.form_version):
                return current
            updated = current.with_changes(
                data=dict(data), revision=current.revision + 1, updated_at=self.clock.now(),
                form_version=form_version or current.form_version,
            )
            self._write_row(conn, updated, insert=False)
            self._enqueue(conn, updated, base_revision=current.revision)
            self._audit_row(conn, actor, "change", record_id=record_id, child_id=current.child_id,
                         detail="fields: " + ", ".join(changed))
        return updated

    @_locked
    def sign(self, record_id: str, signature: Signature, actor: Actor, *,
             data: dict[str, Any] | None = None) -> Record:
        """Sign a draft (optionally saving its final answers in the same transaction)."""
        with transaction(self._conn) as conn:
            current = self._load(conn, record_id)
            if current.is_signed:
                raise SignedRecordImmutable(record_id)
            if current.record_type not in SIGNABLE_TYPES:
                raise StoreError(f"A {current.record_type.label.lower()} is not signed.")
            signed = current.with_changes(
                data=dict(data) if data is not None else current.data,
                state=RecordState.SIGNED, signature=signature,
                revision=current.revision + 1, updated_at=self.clock.now(),
            )
            self._write_row(conn, signed, insert=False)
            self._enqueue(conn, signed, base_revision=current.revision)
            self._audit_row(conn, actor, "sign", record_id=record_id, child_id=current.child_id,
                         detail=f"signed by {signature.signed_by}")
        return signed

    @_locked
    def add_addendum(self, original_id: str, addendum: Record, actor: Actor) -> Record:
        """Save an addendum that corrects or adds to a signed record."""
        with transaction(self._conn) as conn:
            original = self._load(conn, original_id)
            if not original.is_signed:
                raise StoreError("Only a signed record needs an addendum: edit the draft instead.")
            addendum = addendum.with_changes(
                record_type=RecordType.ADDENDUM, amends_id=original.id, child_id=original.child_id
            )
            self._write_row(conn, addendum, insert=True)
            self._enqueue(conn, addendum, base_revision=0)
            self._audit_row(conn, actor, "create", record_id=addendum.id,
                         child_id=addendum.child_id, detail=f"addendum to {original.id}")
        return addendum

    @_locked
    def delete_draft(self, record_id: str, actor: Actor) -> Record:
        """Mark a draft as deleted (a tombstone that syncs).  Signed records cannot be deleted."""
        with transaction(self._conn) as conn:
            current = self._load(conn, record_id)
            if current.is_signed:
                raise SignedRecordImmutable(record_id)
            tombstone = current.with_changes(deleted=True, revision=current.revision + 1,
                                             updated_at=self.clock.now())
            self._write_row(conn, tombstone, insert=False)
            self._enqueue(conn, tombstone, base_revision=current.revision)
            self._audit_row(conn, actor, "delete", record_id=record_id, child_id=current.child_id)
        return tombstone

    @_locked
    def purge(self, record_ids: list[str], actor: Actor, reason: str,
              conn: Connection | None = None) -> int:
        """Remove records for good after their retention period: explicit and audited.  With
        ``conn`` (from transaction()), inside the caller's transaction."""
        if not reason.strip():
            raise StoreError("Give the reason for purging, for example the retention rule.")
        if conn is not None:
            return self._purge(conn, record_ids, actor, reason)
        with transaction(self._conn) as own:
            removed = self._purge(own, record_ids, actor, reason)
        self._scrub_wal()
        return removed

    def _purge(self, conn: Connection, record_ids: list[str], actor: Actor, reason: str) -> int:
        removed = 0
        touched: set[str | None] = set()  # caseload rows to recompute
        conn.execute("INSERT INTO meta (key, value) VALUES ('purging', '1')")
        # An addendum goes with the record it amends, and before it.
        addenda = [r[0] for r in conn.execute(
            "SELECT id FROM records WHERE amends_id IN (SELECT value FROM json_each(?))",
            (json.dumps(record_ids),))]
        for record_id in [*addenda, *record_ids]:
            row = conn.execute("SELECT rowid, child_id FROM records WHERE id = ?",
                               (record_id,)).fetchone()
            if row is None:
                continue
            conn.execute("DELETE FROM records_fts WHERE rowid = ?", (row[0],))
            conn.execute("DELETE FROM records WHERE id = ?", (record_id,))
            conn.execute("DELETE FROM sync_base WHERE record_id = ?", (record_id,))
            conn.execute("DELETE FROM record_timestamps WHERE record_id = ?", (record_id,))
            self._audit_row(conn, actor, "purge", record_id=record_id, child_id=row[1],
                         detail=reason)
            removed += 1
            touched.update((record_id, row[1]))
        conn.execute("DELETE FROM meta WHERE key = 'purging'")
        if removed:
            # Deleted search entries stay in older index segments until they are merged.
            # Once this transaction commits (however many purges it holds), the index is
            # rebuilt into one segment and the WAL emptied; the flag, committed with the
            # purge, makes the next unlock finish that if the app stops first.
            conn.execute("INSERT INTO meta (key, value) VALUES ('scrub_due', 'true') "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            self._scrub_due = True
        caseload_index.refresh(conn, touched)
        return removed

    def _scrub_wal(self) -> None:
        """After a purge commits: merge the search index into one segment (dropping the
        purged words; secure_delete zeroes the freed pages), then copy the WAL into the
        database and empty it, so no old version of a purged page is left in it."""
        if self._scrub_due and self._conn is not None and not self._conn.in_transaction:
            with transaction(self._conn) as conn:
                conn.execute("INSERT INTO records_fts (records_fts) VALUES ('optimize')")
                conn.execute("DELETE FROM meta WHERE key = 'scrub_due'")
            self._scrub_due = False
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()

    @_locked
    def child_record_ids(self, child_id: str, conn: Connection | None = None) -> list[str]:
        """The child's own record and every record about the child (addenda included)."""
        return [r[0] for r in (conn or self._db).execute(
            "SELECT id FROM records WHERE id = ? OR child_id = ? OR amends_id IN "
            "(SELECT id FROM records WHERE id = ? OR child_id = ?) ORDER BY id",
            (child_id, child_id, child_id, child_id))]

    @_locked
    def remove_child(self, child_id: str, actor: Actor, reason: str,
                     conn: Connection | None = None) -> int | None:
        """Purge a child and all its records, with their sync bases and conflict rows, e.g.
        when the child leaves this user's caseload.  Nothing is removed, and None returned, if
        any of them has a change still waiting in the outbox: unsynced work is never lost."""
        if conn is None:
            with self.transaction() as own:
                return self.remove_child(child_id, actor, reason, own)
        ids = self.child_record_ids(child_id, conn)
        if conn.execute("SELECT 1 FROM outbox WHERE record_id IN (SELECT value FROM json_each(?))"
                        " LIMIT 1", (json.dumps(ids),)).fetchone():
            return None
        if not ids:
            return 0
        conn.execute("DELETE FROM conflicts WHERE record_id IN (SELECT value FROM json_each(?))",
                     (json.dumps(ids),))
        return self.purge(ids, actor, reason, conn=conn)

    # -- reading records -----------------------------------------------------------------------

    @_locked
    def get(self, record_id: str, actor: Actor | None = None) -> Record:
        """Fetch one record.  With an actor, the view is written to the audit log."""
        if actor is None:
            return self._load(self._conn, record_id)
        with transaction(self._conn) as conn:
            record = self._load(conn, record_id)
            self._audit_row(conn, actor, "view", record_id=record_id, child_id=record.child_id)
        return record

    @_locked
    def find(self, record_id: str) -> Record | None:
        try:
            return self._load(self._conn, record_id)
        except RecordNotFound:
            return None

    @_locked
    def record_view(self, actor: Actor, child_id: str, detail: str = "") -> None:
        """Audit that a child's record (overview, chronology, summary) was looked at."""
        with transaction(self._conn) as conn:
            self._audit_row(conn, actor, "view", record_id=child_id, child_id=child_id,
                         detail=detail)

    @_locked
    def records(
        self,
        *,
        child_id: str | None = None,
        record_type: RecordType | None = None,
        include_deleted: bool = False,
        newest_first: bool = True,
        limit: int | None = None,
    ) -> list[Record]:
        clauses, params = [], []
        if child_id is not None:
            clauses.append("child_id = ?")
            params.append(child_id)
        if record_type is not None:
            clauses.append("record_type = ?")
            params.append(record_type.value)
        if not include_deleted:
            clauses.append("deleted = 0")
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        order = "DESC" if newest_first else "ASC"
        sql = (f"SELECT {_RECORD_COLUMNS} FROM records {where} "
               f"ORDER BY coalesce(occurred_at, created_at) {order}, created_at {order}")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [_row_to_record(row) for row in self._db.execute(sql, params)]

    @_locked
    def index_rows(self, record_type: RecordType) -> list[dict[str, Any]]:
        """Light rows for lists and measures, without loading every record's answers."""
        rows = self._db.execute(
            "SELECT id, child_id, state, occurred_at, title, risk_level, revision, updated_at "
            "FROM records WHERE record_type = ? AND deleted = 0",
            (record_type.value,),
        ).fetchall()
        keys = ("id", "child_id", "state", "occurred_at", "title", "risk_level", "revision",
                "updated_at")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    @_locked
    def search(self, text: str, *, limit: int = 50,
               record_type: RecordType | None = None) -> list[SearchHit]:
        """Records whose words start with every word typed, most recently saved first."""
        query = fts_query(text)
        if not query:
            return []
        type_clause = "" if record_type is None else " AND r.record_type = ?"
        params: tuple[Any, ...] = (query,) if record_type is None else (query, record_type.value)
        rows = self._db.execute(
            "SELECT r.id, r.child_id, r.record_type, r.title,"
            " snippet(records_fts, 0, '[', ']', ' … ', 12)"
            " FROM records_fts JOIN records r ON r.rowid = records_fts.rowid"
            f" WHERE records_fts MATCH ? AND r.deleted = 0{type_clause}"
            " ORDER BY records_fts.rowid DESC LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [SearchHit(r[0], r[1], RecordType(r[2]), r[3], r[4]) for r in rows]

    # -- the caseload read model (store/caseload_index.py) --------------------------------------

    @_locked
    def caseload_page(self, query: caseload_index.CaseloadQuery, now: datetime, *,
                      offset: int = 0, limit: int | None = None, order: str = "name",
                      descending: bool = False) -> caseload_index.CaseloadPage:
        """The children matching ``query``, sorted, one page of them, with counts."""
        return caseload_index.page(self._conn, query, now, offset=offset, limit=limit,
                                   order=order, descending=descending)

    @_locked
    def rebuild_caseload_index(self) -> int:
        """Recompute every child's caseload row from the records."""
        with transaction(self._conn) as conn:
            return caseload_index.rebuild(conn)

    @_locked
    def count(self, record_type: RecordType | None = None) -> int:
        if record_type is None:
            return int(self._db.execute("SELECT count(*) FROM records WHERE deleted = 0")
                       .fetchone()[0])
        return int(self._db.execute(
            "SELECT count(*) FROM records WHERE deleted = 0 AND record_type = ?",
            (record_type.value,)).fetchone()[0])

    # -- audit ---------------------------------------------------------------------------------

    @_locked
    def audit_entries(self, *, record_id: str | None = None,
                      child_id: str | None = None) -> list[audit.AuditEntry]:
        return audit.entries(self._conn, record_id=record_id, child_id=child_id)

    @_locked
    def verify_audit(self) -> audit.AuditVerification:
        return audit.verify(self._conn)

    @_locked
    def audit(self, actor: Actor, action: str, *, record_id: str | None = None,
              child_id: str | None = None, detail: str = "",
              conn: Connection | None = None) -> None:
        """Record an action that is not a change to a record (print, export, sync, unlock).
        With ``conn`` (from transaction()), inside the caller's transaction."""
        if conn is not None:
            self._audit_row(conn, actor, action, record_id=record_id, child_id=child_id,
                            detail=detail)
            return
        with transaction(self._conn) as own:
            self._audit_row(own, actor, action, record_id=record_id, child_id=child_id,
                            detail=detail)

    def _audit_row(self, conn: Connection, actor: Actor, action: str, *,
                   record_id: str | None = None, child_id: str | None = None,
                   detail: str = "") -> None:
        """One audit row, timed by the store's clock, inside the caller's transaction."""
        audit.append(conn, actor, action, record_id=record_id, child_id=child_id, detail=detail,
                     at=self.clock.now())

    # -- sync support --------------------------------------------------------------------------

    @_locked
    def pending_changes(self, limit: int = 200) -> list[OutboxChange]:
        rows = self._db.execute(
            "SELECT seq, change_id, record_id, base_revision, payload FROM outbox "
            "ORDER BY seq LIMIT ?", (limit,)
        ).fetchall()
        return [OutboxChange(r[0], r[1], r[2], r[3], Record.from_wire(json.loads(r[4])))
                for r in rows]

    @_locked
    def pending_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM outbox").fetchone()[0])

    @_locked
    def has_pending(self, record_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM outbox WHERE record_id = ? LIMIT 1",
                                  (record_id,)).fetchone() is not None

    @_locked
    def acknowledge(self, change_ids: list[str]) -> None:
        """The server has these changes: remove them from the outbox and remember the base."""
        with transaction(self._conn) as conn:
            for change_id in change_ids:
                row = conn.execute("SELECT record_id, payload FROM outbox WHERE change_id = ?",
                                   (change_id,)).fetchone()
                if row is None:
                    continue
                wire = json.loads(row[1])
                self._set_base(conn, row[0], int(wire["revision"]), row[1])
                conn.execute("DELETE FROM outbox WHERE change_id = ?", (change_id,))

    def _set_base(self, conn: Connection, record_id: str, revision: int, payload: str) -> None:
        conn.execute(
            "INSERT INTO sync_base (record_id, revision, payload) VALUES (?,?,?) "
            "ON CONFLICT (record_id) DO UPDATE SET revision = excluded.revision, "
            "payload = excluded.payload", (record_id, revision, payload))

    @_locked
    def sync_base(self, record_id: str) -> Record | None:
        row = self._db.execute("SELECT payload FROM sync_base WHERE record_id = ?",
                                 (record_id,)).fetchone()
        return None if row is None else Record.from_wire(json.loads(row[0]))

    @_locked
    def put_remote(self, record: Record, conn: Connection | None = None) -> None:
        """Store a record as the server has it (no outbox entry).  Use inside transaction()."""
        conn = conn or self._db
        exists = conn.execute("SELECT state FROM records WHERE id = ?", (record.id,)).fetchone()
        if exists is not None and exists[0] == RecordState.SIGNED.value:
            return  # signed records are immutable everywhere: ours already is the server's
        self._write_row(conn, record, insert=exists is None)
        self._set_base(conn, record.id, record.revision,
                       json.dumps(record.to_wire(), ensure_ascii=False))

    @_locked
    def enqueue(self, record: Record, base_revision: int, actor: Actor, action: str,
                conn: Connection | None = None) -> None:
        """Write a locally produced version (e.g. a merge) and queue it for the server."""
        conn = conn or self._db
        exists = conn.execute("SELECT 1 FROM records WHERE id = ?", (record.id,)).fetchone()
        self._write_row(conn, record, insert=exists is None)
        self._enqueue(conn, record, base_revision)
        self._audit_row(conn, actor, action, record_id=record.id, child_id=record.child_id)

    @_locked
    def requeue(self, record: Record, base_revision: int, conn: Connection | None = None) -> None:
        """Queue the stored version of a record again on a new base, without rewriting it.

        Used when a record signed here must go on top of a newer server draft: a signed row
        cannot be rewritten, only sent again.
        """
        conn = conn or self._db
        conn.execute("DELETE FROM outbox WHERE record_id = ?", (record.id,))
        self._enqueue(conn, record, base_revision)

    @_locked
    def drop_pending(self, record_id: str, conn: Connection | None = None) -> None:
        """Remove queued changes of one record (only after they are merged into a newer one)."""
        (conn or self._db).execute("DELETE FROM outbox WHERE record_id = ?", (record_id,))

    @_locked
    def get_sync_state(self, key: str, default: Any = None) -> Any:
        row = self._db.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    @_locked
    def set_sync_state(self, key: str, value: Any, conn: Connection | None = None) -> None:
        (conn or self._db).execute(
            "INSERT INTO sync_state (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, json.dumps(value)))

    @_locked
    def integrity_check(self) -> str:
        return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])

    # -- proven record times ------------------------------------------------------------------

    @_locked
    def signed_records_without_timestamp(self, limit: int = 50) -> list[Record]:
        """Signed records made on this device that the service has (nothing of theirs is
        waiting in the outbox) but that have no time stamp token for their current revision
        yet, oldest first."""
        rows = self._db.execute(
            f"SELECT {', '.join('r.' + c.strip() for c in _RECORD_COLUMNS.split(','))} "
            "FROM records r LEFT JOIN record_timestamps t ON t.record_id = r.id "
            "WHERE r.state = 'signed' AND r.deleted = 0 AND r.device_id = ? "
            "AND (t.record_id IS NULL OR t.revision != r.revision) "
            "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.record_id = r.id) "
            "ORDER BY r.signed_at, r.id LIMIT ?",
            (self.device_id, int(limit))).fetchall()
        return [_row_to_record(row) for row in rows]

    @_locked
    def put_record_timestamp(self, stamp: RecordTimestamp) -> None:
        """Keep (or replace) the time stamp token of a record."""
        with transaction(self._db) as conn:
            conn.execute(
                "INSERT INTO record_timestamps (record_id, revision, content_sha256, token, "
                "gen_time, authority, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (record_id) DO UPDATE SET revision = excluded.revision, "
                "content_sha256 = excluded.content_sha256, token = excluded.token, "
                "gen_time = excluded.gen_time, authority = excluded.authority, "
                "stored_at = excluded.stored_at",
                (stamp.record_id, stamp.revision, stamp.content_sha256, stamp.token,
                 to_iso(stamp.gen_time), stamp.authority, to_iso(self.clock.now())))

    @_locked
    def record_timestamp(self, record_id: str) -> RecordTimestamp | None:
        """The stored time stamp token of a record, if it has one."""
        row = self._db.execute(
            "SELECT record_id, revision, content_sha256, token, gen_time, authority "
            "FROM record_timestamps WHERE record_id = ?", (record_id,)).fetchone()
        if row is None:
            return None
        gen_time = from_iso(row[4])
        assert gen_time is not None
        return RecordTimestamp(row[0], int(row[1]), row[2], bytes(row[3]), gen_time, row[5])

    # -- sync conflicts ------------------------------------------------------------------------
    # Clashes between this device's version of a record and the server's, kept in full until
    # the practitioner chooses.  Methods that take ``conn`` (from transaction()) write inside
    # the caller's transaction, so a conflict is recorded or resolved together with the rest.

    @_locked
    def conflict_count(self) -> int:
        """How many conflicts are waiting for the practitioner."""
        return int(self._db.execute(
            "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL").fetchone()[0])

    @_locked
    def open_conflict_record_ids(self) -> set[str]:
        """The records that have a conflict waiting for the practitioner."""
        return {r[0] for r in self._db.execute(
            "SELECT record_id FROM conflicts WHERE resolved_at IS NULL")}

    @_locked
    def open_conflicts(self) -> list[StoredConflict]:
        """Every conflict waiting for the practitioner, oldest first."""
        rows = self._db.execute(
            f"SELECT {_CONFLICT_COLUMNS} FROM conflicts WHERE resolved_at IS NULL "
            "ORDER BY id").fetchall()
        return [_row_to_conflict(row) for row in rows]

    @_locked
    def open_conflict(self, record_id: str,
                      conn: Connection | None = None) -> StoredConflict | None:
        """The conflict waiting for the practitioner on one record, if there is one."""
        row = (conn or self._db).execute(
            f"SELECT {_CONFLICT_COLUMNS} FROM conflicts WHERE record_id = ? "
            "AND resolved_at IS NULL", (record_id,)).fetchone()
        return None if row is None else _row_to_conflict(row)

    @_locked
    def add_conflict(self, fields: tuple[str, ...], local: Record, remote: Record,
                     base: Record | None, *, changed_by: str | None = None,
                     changed_at: str | None = None, conn: Connection | None = None) -> None:
        """Keep both versions of a clashing record for review.

        ``changed_by`` and ``changed_at`` say who changed the server's version and when.  A
        record already waiting for review keeps its conflict, base and detection time; the
        clashing fields and both versions are replaced with these.
        """
        conn = conn or self._db
        remote_payload = json.dumps({**remote.to_wire(), "_changed_by": changed_by,
                                     "_changed_at": changed_at}, ensure_ascii=False)
        existing = conn.execute("SELECT id FROM conflicts WHERE record_id = ? AND resolved_at "
                                "IS NULL", (local.id,)).fetchone()
        if existing:
            conn.execute("UPDATE conflicts SET fields = ?, local_payload = ?, remote_payload"
                         " = ? WHERE id = ?", (json.dumps(list(fields)), _wire_json(local),
                                                remote_payload, existing[0]))
            return
        conn.execute(
            "INSERT INTO conflicts (record_id, fields, local_payload, remote_payload,"
            " base_payload, detected_at) VALUES (?,?,?,?,?,?)",
            (local.id, json.dumps(list(fields)), _wire_json(local), remote_payload,
             _wire_json(base) if base else None, to_iso(self.clock.now())))

    @_locked
    def resolve_conflict(self, conflict_id: int, resolution: dict[str, Any],
                         conn: Connection | None = None) -> None:
        """Mark a conflict resolved now, recording how (``resolution``)."""
        (conn or self._db).execute(
            "UPDATE conflicts SET resolved_at = ?, resolution = ? WHERE id = ?",
            (to_iso(self.clock.now()), json.dumps(resolution), conflict_id))


@dataclass(frozen=True)
class StoredConflict:
    """One row of the conflicts table, decoded (see Store.open_conflicts)."""

    id: int
    record_id: str
    fields: tuple[str, ...]
    local: Record
    remote: Record
    base: Record | None
    detected_at: str  # ISO 8601, as stored
    remote_changed_by: str | None
    remote_changed_at: str | None  # ISO 8601, as the server sent it


_CONFLICT_COLUMNS = ("id, record_id, fields, local_payload, remote_payload, base_payload, "
                     "detected_at")


def _wire_json(record: Record) -> str:
    return json.dumps(record.to_wire(), ensure_ascii=False)


def _row_to_conflict(row: tuple[Any, ...]) -> StoredConflict:
    remote_wire = json.loads(row[4])
    return StoredConflict(
        id=int(row[0]), record_id=row[1], fields=tuple(json.loads(row[2])),
        local=Record.from_wire(json.loads(row[3])), remote=Record.from_wire(remote_wire),
        base=Record.from_wire(json.loads(row[5])) if row[5] else None,
        detected_at=row[6], remote_changed_by=remote_wire.get("_changed_by"),
        remote_changed_at=remote_wire.get("_changed_at"),
    )
