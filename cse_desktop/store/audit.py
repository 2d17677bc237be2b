"""Append-only, hash-chained audit log of every create, change, sign and view.

Each row's hash covers its own fields and the previous row's hash, and the head (last sequence
number and hash) is kept in ``meta``.  Editing, deleting or truncating any row is therefore
detected by :func:`verify_audit`.  Rows are written in the same transaction as the change they
describe.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from ..records import Actor, from_iso, to_iso
from .connection import Connection

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    user_id: str
    actor: str
    device_id: str
    action: str
    record_id: str | None
    child_id: str | None
    detail: str


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    entries: int
    problem: str = ""
    first_bad_seq: int | None = None


def _row_hash(prev_hash: str, seq: int, fields: tuple[str | None, ...]) -> str:
    body = json.dumps([prev_hash, seq, *fields], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _head(conn: Connection) -> tuple[int, str]:
    row = conn.execute("SELECT value FROM meta WHERE key = 'audit_head'").fetchone()
    if row is None:
        return 0, GENESIS
    seq, digest = json.loads(row[0])
    return int(seq), str(digest)


def append(
    conn: Connection,
    actor: Actor,
    action: str,
    *,
    record_id: str | None = None,
    child_id: str | None = None,
    detail: str = "",
    at: datetime,
) -> None:
    """Add one row.  Call inside the transaction of the change it describes."""
    last_seq, prev_hash = _head(conn)
    seq = last_seq + 1
    at_text = to_iso(at)
    fields = (at_text, actor.user_id, actor.name, actor.device_id, action, record_id, child_id,
              detail)
    digest = _row_hash(prev_hash, seq, fields)
    conn.execute(
        "INSERT INTO audit_log (seq, at, user_id, actor, device_id, action, record_id, child_id,"
        " detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (seq, *fields, prev_hash, digest),
    )
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('audit_head', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (json.dumps([seq, digest]),),
    )


def entries(
    conn: Connection, *, record_id: str | None = None, child_id: str | None = None
) -> list[AuditEntry]:
    sql = ("SELECT seq, at, user_id, actor, device_id, action, record_id, child_id, detail "
           "FROM audit_log")
    params: list[str] = []
    if record_id is not None:
        sql += " WHERE record_id = ?"
        params.append(record_id)
    elif child_id is not None:
        sql += " WHERE child_id = ?"
        params.append(child_id)
    rows = conn.execute(sql + " ORDER BY seq", params).fetchall()
    result = []
    for row in rows:
        at = from_iso(row[1])
        assert at is not None
        result.append(AuditEntry(row[0], at, *row[2:]))
    return result


def verify(conn: Connection) -> AuditVerification:
    """Walk the chain; report the first row that was edited, removed or added out of turn."""
    prev_hash = GENESIS
    expected_seq = 1
    count = 0
    cursor = conn.execute(
        "SELECT seq, at, user_id, actor, device_id, action, record_id, child_id, detail, "
        "prev_hash, hash FROM audit_log ORDER BY seq"
    )
    for row in cursor:
        seq = row[0]
        if seq != expected_seq:
            return AuditVerification(False, count, f"audit entry {expected_seq} is missing",
                                     expected_seq)
        if row[9] != prev_hash:
            return AuditVerification(False, count, f"audit entry {seq} does not follow the one "
                                     "before it", seq)
        if _row_hash(prev_hash, seq, tuple(row[1:9])) != row[10]:
            return AuditVerification(False, count, f"audit entry {seq} was altered", seq)
        prev_hash = row[10]
        expected_seq += 1
        count += 1
    head_seq, head_hash = _head(conn)
    if head_seq != count or head_hash != prev_hash:
        return AuditVerification(False, count, "audit entries after "
                                 f"{count} were removed", count + 1)
    return AuditVerification(True, count)
