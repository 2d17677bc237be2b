"""The pull feed and reading one record, scoped to the caller and audited."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, func, select

from . import audit
from .access import can_see_record, visible_records
from .errors import ApiError, forbidden
from .identity import Caller
from .models import feed, records
from .schemas import PullResponse

CURSOR_AHEAD = ("This device has seen more changes than the service holds (was the service "
                "restored from a backup?). Start again from cursor 0.")


def pull(engine: Engine, caller: Caller, cursor: int, limit: int) -> PullResponse:
    """Records stored after ``cursor`` that the caller may see, oldest first."""
    query = (select(records.c.seq, records.c.id, records.c.child_id, records.c.payload)
             .where(records.c.seq > cursor, visible_records(caller))
             .order_by(records.c.seq).limit(limit + 1))
    with engine.begin() as conn:
        rows = conn.execute(query).all()
        if not rows and cursor > 0:
            head = conn.execute(select(func.max(feed.c.seq))).scalar() or 0
            if cursor > head:
                raise ApiError(409, "cursor_ahead", CURSOR_AHEAD)
        more = len(rows) > limit
        rows = rows[:limit]
        remaining = 0
        if more:
            remaining = int(conn.execute(
                select(func.count()).select_from(records)
                .where(records.c.seq > rows[-1].seq, visible_records(caller))).scalar() or 0)
        audit.log_many(conn, caller, "pull", [(r.id, r.child_id) for r in rows])
    return PullResponse(records=[json.loads(r.payload) for r in rows],
                        cursor=rows[-1].seq if rows else cursor, more=more,
                        remaining=remaining)


def get_record(engine: Engine, caller: Caller, record_id: str) -> dict[str, Any]:
    with engine.begin() as conn:
        row = conn.execute(select(records).where(records.c.id == record_id)).first()
        if row is None or not can_see_record(conn, caller, row):
            audit.log(conn, caller, "view_denied", record_id=record_id)
            denied = True
        else:
            audit.log(conn, caller, "view", record_id=row.id, child_id=row.child_id)
            denied = False
    if denied:
        raise forbidden()
    assert row is not None
    return dict(json.loads(row.payload))
