"""The pull feed and reading one record, scoped to the caller and audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, and_, exists, false, func, select
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from . import audit
from .access import can_see_record, still_withdrawn, visible_records
from .errors import ApiError, forbidden
from .identity import Caller
from .models import feed, record_versions, records, withdrawals
from .quarantine import UNAVAILABLE, set_aside
from .schemas import OwnVersion, PullResponse
from .validation import servable

COMPRESSED_PATHS = frozenset({"/api/v1/sync/pull", "/api/v1/sync/push"})


class CompressedFeed:
    """ASGI middleware: gzip the pull feed's pages and the push answers for clients that
    accept it (JSON records shrink about fourfold, which is what counts on a 5-50 KB/s link).
    Only those: no answer carrying a token or a certificate is compressed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=2048, compresslevel=6)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path") in COMPRESSED_PATHS:
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)


CURSOR_AHEAD = ("This device has seen more changes than the service holds (was the service "
                "restored from a backup?). Start again from cursor 0.")


def _own_version(caller: Caller) -> Any:
    """True for a record whose current version was stored by the calling device itself."""
    return exists().where(and_(record_versions.c.record_id == records.c.id,
                               record_versions.c.revision == records.c.revision,
                               record_versions.c.device_id == caller.device_id))


def pull(engine: Engine, caller: Caller, cursor: int, limit: int, *,
         max_bytes: int | None = None, skip_own: bool = False) -> PullResponse:
    """Feed entries after ``cursor`` that concern the caller, oldest first: the records they
    may see, and the children withdrawn from their caseload (each advances the cursor).

    ``max_bytes`` ends the page once the records in it hold that many bytes (at least one
    entry is always sent), so a slow link gets small pages.  With ``skip_own`` a record whose
    current version this very device pushed is not sent back: only its id and revision are,
    in ``own``, and the cursor moves past it."""
    own_column = (_own_version(caller) if skip_own else false()).label("own")
    record_query = (select(records.c.seq, records.c.id, records.c.child_id, records.c.payload,
                           records.c.revision, own_column)
                    .where(records.c.seq > cursor, visible_records(caller))
                    .order_by(records.c.seq).limit(limit + 1))
    withdrawn_query = (select(withdrawals.c.seq, withdrawals.c.child_id)
                       .where(withdrawals.c.seq > cursor, still_withdrawn(caller))
                       .order_by(withdrawals.c.seq).limit(limit + 1))
    with engine.begin() as conn:
        entries: list[tuple[int, Any, bool]] = [
            (int(r.seq), r, False) for r in conn.execute(record_query).all()]
        entries += [(int(w.seq), w, True) for w in conn.execute(withdrawn_query).all()]
        entries.sort(key=lambda e: e[0])
        if not entries and cursor > 0:
            head = conn.execute(select(func.max(feed.c.seq))).scalar() or 0
            if cursor > head:
                raise ApiError(409, "cursor_ahead", CURSOR_AHEAD)
        more = len(entries) > limit
        entries = entries[:limit]
        if max_bytes is not None:
            size, kept = 0, 0
            for _, row, withdrawn in entries:
                weight = 64 if withdrawn or row.own else len(row.payload)
                if kept and size + weight > max_bytes:
                    break
                size += weight
                kept += 1
            if kept < len(entries):
                entries, more = entries[:kept], True
        # A stored record that cannot be served is skipped (and set aside below), never
        # allowed to fail the page: the cursor still moves past it.  The device's own versions
        # go back as id and revision only.
        rows, wires, damaged, own = [], [], [], []
        for _, row, withdrawn in entries:
            if withdrawn:
                continue
            if row.own:
                own.append(row)
                continue
            wire = servable(row.payload)
            if wire is None:
                damaged.append(row)
            else:
                rows.append(row)
                wires.append(wire)
        gone = [row for _, row, withdrawn in entries if withdrawn]
        remaining = 0
        if more:
            last = entries[-1][0]
            remaining = int(conn.execute(
                select(func.count()).select_from(records)
                .where(records.c.seq > last, visible_records(caller))).scalar() or 0)
            remaining += int(conn.execute(
                select(func.count()).select_from(withdrawals)
                .where(withdrawals.c.seq > last, still_withdrawn(caller))).scalar() or 0)
        audit.log_many(conn, caller, "pull", [(r.id, r.child_id) for r in rows])
        for w in gone:
            audit.log(conn, caller, "pull_withdrawn", child_id=w.child_id,
                      detail="removed from the caller's caseload")
    for row in damaged:
        set_aside(engine, row.id, row.child_id, int(row.seq))
    return PullResponse(records=wires,
                        cursor=entries[-1][0] if entries else cursor, more=more,
                        remaining=remaining, withdrawn=[str(w.child_id) for w in gone],
                        own=[OwnVersion(id=str(r.id), revision=int(r.revision)) for r in own])


def get_record(engine: Engine, caller: Caller, record_id: str) -> dict[str, Any]:
    with engine.begin() as conn:
        row = conn.execute(select(records).where(records.c.id == record_id)).first()
        if row is None or not can_see_record(conn, caller, row):
            audit.log(conn, caller, "view_denied", record_id=record_id)
            denied = True
        else:
            denied = False
            if servable(row.payload) is not None:  # the audit says what was delivered
                audit.log(conn, caller, "view", record_id=row.id, child_id=row.child_id)
    if denied:
        raise forbidden()
    assert row is not None
    wire = servable(row.payload)
    if wire is None:
        set_aside(engine, row.id, row.child_id, int(row.seq))
        raise ApiError(409, "record_unavailable", UNAVAILABLE)
    return wire
