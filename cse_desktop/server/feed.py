"""Feed sequence numbers (the pull cursor) and the stored form of a version.

Callers hold :func:`cse_desktop.server.db.lock_feed` for the whole transaction, so numbers
become visible in the order they were handed out.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, insert, select, update

from .models import feed, records


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


def restamp_child(conn: Connection, child_id: str) -> int:
    """Give a child's records new sequence numbers so that devices of someone newly assigned
    the child pull them, even though their cursor is already past the old numbers."""
    ids = conn.execute(select(records.c.id).where(records.c.child_id == child_id)
                       .order_by(records.c.seq)).scalars().all()
    for record_id in ids:
        conn.execute(update(records).where(records.c.id == record_id)
                     .values(seq=next_seq(conn, record_id)))
    return len(ids)
