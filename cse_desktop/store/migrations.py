"""Forward-only, numbered schema migrations, applied at unlock inside one transaction.

Never edit a migration that has shipped: add a new one.  ``PRAGMA user_version`` holds the
number of the last migration applied.
"""

from __future__ import annotations

from . import caseload_index
from .connection import Connection, transaction

# Index columns and search are worked out in Python: after migrating past this version the
# store rebuilds them for records saved before it.
FTS_SCHEMA_VERSION = 3
# The caseload read model (store/caseload_index.py): filled from the records after migrating.
CASELOAD_SCHEMA_VERSION = 5

# Any change to what a signed record says is refused by the database itself.  Only derived
# index columns (added later) may be refreshed.
SIGNED_TRIGGER_SQL = """CREATE TRIGGER records_signed_are_immutable
        BEFORE UPDATE OF id, record_type, form_id, form_version, child_id, state, data, author,
            device_id, created_at, updated_at, revision, signed_by, signer_role, signed_at,
            signature_png, amends_id, deleted ON records
        WHEN OLD.state = 'signed'
        BEGIN SELECT RAISE(ABORT, 'signed records are immutable'); END;"""

MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE records (
        id TEXT PRIMARY KEY,
        record_type TEXT NOT NULL,
        form_id TEXT NOT NULL,
        form_version INTEGER NOT NULL,
        child_id TEXT,
        state TEXT NOT NULL CHECK (state IN ('draft', 'signed')),
        data TEXT NOT NULL,
        author TEXT NOT NULL,
        device_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        revision INTEGER NOT NULL,
        signed_by TEXT,
        signer_role TEXT,
        signed_at TEXT,
        signature_png BLOB,
        amends_id TEXT REFERENCES records(id),
        deleted INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX records_by_child ON records (child_id, record_type);
    CREATE INDEX records_by_type ON records (record_type);
    {signed_trigger}
    CREATE TRIGGER records_signed_not_deleted BEFORE DELETE ON records
        WHEN OLD.state = 'signed' AND (SELECT value FROM meta WHERE key = 'purging') IS NULL
        BEGIN SELECT RAISE(ABORT, 'signed records are kept until purged'); END;
    CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        user_id TEXT NOT NULL,
        actor TEXT NOT NULL,
        device_id TEXT NOT NULL,
        action TEXT NOT NULL,
        record_id TEXT,
        child_id TEXT,
        detail TEXT NOT NULL DEFAULT '',
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    """.replace("{signed_trigger}", SIGNED_TRIGGER_SQL),
    2: """
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        change_id TEXT NOT NULL UNIQUE,
        record_id TEXT NOT NULL,
        base_revision INTEGER NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX outbox_by_record ON outbox (record_id);
    CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    3: """
    ALTER TABLE records ADD COLUMN occurred_at TEXT;
    ALTER TABLE records ADD COLUMN title TEXT NOT NULL DEFAULT '';
    ALTER TABLE records ADD COLUMN risk_level TEXT;
    CREATE INDEX records_by_occurred ON records (child_id, occurred_at);
    CREATE VIRTUAL TABLE records_fts USING fts5 (
        text, tokenize = 'unicode61 remove_diacritics 2'
    );
    """,
    4: """
    -- The last version of each record the server acknowledged: the base of a three-way merge.
    CREATE TABLE sync_base (
        record_id TEXT PRIMARY KEY,
        revision INTEGER NOT NULL,
        payload TEXT NOT NULL
    );
    -- Clashes the practitioner must resolve.  Both sides are kept in full until then.
    CREATE TABLE conflicts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        record_id TEXT NOT NULL,
        fields TEXT NOT NULL,
        local_payload TEXT NOT NULL,
        remote_payload TEXT NOT NULL,
        base_payload TEXT,
        detected_at TEXT NOT NULL,
        resolved_at TEXT,
        resolution TEXT
    );
    CREATE INDEX conflicts_open ON conflicts (resolved_at, record_id);
    """,
    5: caseload_index.SCHEMA,
    6: """
    -- Proven time of a signed record: the partnership time service's RFC 3161 token over
    -- the record's content fingerprint (SHA-256), obtained after the record synced.
    CREATE TABLE record_timestamps (
        record_id TEXT PRIMARY KEY,
        revision INTEGER NOT NULL,
        content_sha256 TEXT NOT NULL,
        token BLOB NOT NULL,
        gen_time TEXT NOT NULL,
        authority TEXT NOT NULL,
        stored_at TEXT NOT NULL
    );
    """,
}

LATEST_VERSION = max(MIGRATIONS)


def schema_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: Connection, target: int = LATEST_VERSION) -> int:
    """Apply every migration above the database's version up to ``target``, atomically."""
    current = schema_version(conn)
    if current > LATEST_VERSION:
        raise RuntimeError(
            "These records were saved by a newer version of cse-desktop. Please update the app."
        )
    if current >= target:
        return current
    with transaction(conn):
        for number in range(current + 1, target + 1):
            for statement in _statements(MIGRATIONS[number]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
    return target


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (triggers keep their inner semicolons)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines():
        if line.strip().startswith("--"):
            continue
        buffer += line + "\n"
        if buffer.strip().endswith(";"):
            stripped = buffer.strip()
            is_trigger = stripped.upper().startswith("CREATE TRIGGER")
            if is_trigger and not stripped.upper().endswith("END;"):
                continue
            statements.append(stripped)
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
