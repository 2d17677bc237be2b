"""Storing versions and handing out feed sequence numbers (the pull cursor).

Callers hold :func:`cse_desktop.server.db.lock_feed` for the whole transaction, so numbers
become visible in the order they were handed out.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, insert, select, update

from .models import feed, record_versions, records
from .timeutil import now


def next_seq(conn: Connection, record_id: str) -> int:
    result = conn.execute(insert(feed).values(record_id=record_id))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def encode(wire: dict[str, Any]) -> str:
    # ASCII-only JSON: every database takes it, whatever the text contains.
    return json.dumps(wire, ensure_ascii=True, separators=(",", ":"))


def is_sensitive(wire: dict[str, Any]) -> bool:
    return wire.get("record_type") == "case_note" and (wire.get("data") or {}).get(
        "sensitive") in (True, "yes")


def store_version(conn: Connection, wire: dict[str, Any], *, change_id: str, user_id: str,
                  device_id: str, created_by: str, insert_row: bool) -> int:
    """Write a new current version of a record (and keep it in its history)."""
    payload = encode(wire)
    seq = next_seq(conn, wire["id"])
    values = {
        "record_type": wire["record_type"], "child_id": wire["child_id"],
        "state": wire["state"], "revision": wire["revision"], "deleted": bool(wire["deleted"]),
        "sensitive": is_sensitive(wire), "seq": seq, "payload": payload, "stored_at": now(),
    }
    if insert_row:
        conn.execute(insert(records).values(id=wire["id"], created_by=created_by, **values))
    else:
        conn.execute(update(records).where(records.c.id == wire["id"]).values(**values))
    conn.execute(insert(record_versions).values(
        record_id=wire["id"], revision=wire["revision"], change_id=change_id, user_id=user_id,
        device_id=device_id, payload=payload, stored_at=now()))
    return seq


def restamp_child(conn: Connection, child_id: str) -> int:
    """Give a child's records new sequence numbers so that devices of someone newly assigned
    the child pull them, even though their cursor is already past the old numbers."""
    ids = conn.execute(select(records.c.id).where(records.c.child_id == child_id)
                       .order_by(records.c.seq)).scalars().all()
    for record_id in ids:
        conn.execute(update(records).where(records.c.id == record_id)
                     .values(seq=next_seq(conn, record_id)))
    return len(ids)
