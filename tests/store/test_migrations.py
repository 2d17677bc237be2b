"""A database created at every older schema version opens and migrates forward."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from cse_desktop.records import RecordType
from cse_desktop.store import LATEST_VERSION, Store, migrate, schema_version
from cse_desktop.store.connection import open_encrypted
from cse_desktop.store.migrations import MIGRATIONS, _statements
from cse_desktop.store.store import search_text

V1_RECORD = (
    "INSERT INTO records (id, record_type, form_id, form_version, child_id, state, data, author,"
    " device_id, created_at, updated_at, revision) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
)


def _seed(conn, version: int) -> None:  # type: ignore[no-untyped-def]
    """Write what a user of that version would have had."""
    if version >= 1:
        conn.execute("INSERT INTO meta (key, value) VALUES ('device_id', ?)", ('"dev-old"',))
        for record_id, kind, data, state in [
            ("c1", "child", {"first_name": "Łukasz", "last_name": "Wiśniewski"}, "draft"),
            ("n1", "case_note", {"summary": "older version note about the skatepark"}, "signed"),
        ]:
            conn.execute(V1_RECORD, (record_id, kind, kind, 1, "c1", state, json.dumps(data),
                                     "Old Author", "dev-old", "2025-01-02T10:00:00+00:00",
                                     "2025-01-02T10:00:00+00:00", 1))
    if version >= 3:  # that version indexed records as it saved them
        for rowid, data in conn.execute("SELECT rowid, data FROM records").fetchall():
            text = " ".join(str(v) for v in json.loads(data).values())
            conn.execute("INSERT INTO records_fts (rowid, text) VALUES (?, ?)",
                         (rowid, search_text(text)))
    if version >= 2:
        conn.execute("INSERT INTO outbox (change_id, record_id, base_revision, payload, "
                     "created_at) VALUES ('ch1', 'n1', 0, '{}', '2025-01-02T10:00:00+00:00')")


@pytest.mark.parametrize("old_version", range(LATEST_VERSION))
def test_every_old_version_migrates_to_latest(tmp_path: Path, old_version: int) -> None:
    key = secrets.token_bytes(32)
    db = Store.db_path(tmp_path)
    conn = open_encrypted(db, key)
    migrate(conn, target=old_version)
    assert schema_version(conn) == old_version
    _seed(conn, old_version)
    conn.close()

    store = Store.open_with_key(tmp_path, key)
    assert schema_version(store._conn) == LATEST_VERSION
    if old_version >= 1:
        assert store.get("n1").data["summary"].startswith("older version")
        assert store.get("n1").is_signed
        # Search covers records saved before search existed.
        assert [h.record_id for h in store.search("skatepark")] == ["n1"]
        assert [h.record_id for h in store.search("lukasz")] == ["c1"]
        assert [r.id for r in store.records(record_type=RecordType.CHILD)] == ["c1"]
    if old_version >= 2:
        assert store.pending_count() == 1
    assert store.integrity_check() == "ok"
    store.lock()


def test_migrations_are_numbered_without_gaps() -> None:
    assert sorted(MIGRATIONS) == list(range(1, LATEST_VERSION + 1))
    for script in MIGRATIONS.values():
        assert all(statement.endswith(";") for statement in _statements(script))


def test_a_failed_migration_leaves_the_database_as_it_was(tmp_path: Path, monkeypatch) -> None:
    key = secrets.token_bytes(32)
    conn = open_encrypted(Store.db_path(tmp_path), key)
    migrate(conn, target=1)
    monkeypatch.setitem(MIGRATIONS, 2, MIGRATIONS[2] + "\nTHIS IS NOT SQL;")
    with pytest.raises(Exception, match="syntax error"):
        migrate(conn)
    assert schema_version(conn) == 1
    tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'outbox'")
    assert tables.fetchone()[0] == 0
    conn.close()


def test_newer_database_is_refused_plainly(tmp_path: Path) -> None:
    key = secrets.token_bytes(32)
    conn = open_encrypted(Store.db_path(tmp_path), key)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    with pytest.raises(RuntimeError, match="newer version"):
        migrate(conn)
    conn.close()
