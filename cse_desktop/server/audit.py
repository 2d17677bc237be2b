"""The service's audit log: every read and write, by user and device, in the same
transaction as the read or write it describes.  Refusals are written in a transaction of
their own (:func:`log_refusal`), so the refused request's rollback does not take them away."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Engine, insert

from .identity import Caller
from .models import audit_log
from .timeutil import now


def log(conn: Connection, caller: Caller | None, action: str, *, record_id: str | None = None,
        child_id: str | None = None, detail: str = "", user_id: str | None = None) -> None:
    conn.execute(insert(audit_log).values(
        at=now(), user_id=caller.user_id if caller else user_id,
        device_id=caller.device_id if caller else None, action=action, record_id=record_id,
        child_id=child_id, detail=detail))


def log_refusal(engine: Engine, caller: Caller | None, action: str, *,
                record_id: str | None = None, child_id: str | None = None, detail: str = "",
                user_id: str | None = None) -> None:
    """Record a refused request in its own transaction.  Never raises: a refusal is answered
    even when the audit log cannot be written."""
    try:
        with engine.begin() as conn:
            log(conn, caller, action, record_id=record_id, child_id=child_id,
                detail=detail[:2000], user_id=user_id)
    except Exception:  # the refusal itself must still be answered
        return


def log_many(conn: Connection, caller: Caller, action: str,
             items: Iterable[tuple[str, str]], detail: str = "") -> None:
    """One row per (record_id, child_id), written in a single statement."""
    at = now()
    rows = [{"at": at, "user_id": caller.user_id, "device_id": caller.device_id,
             "action": action, "record_id": record_id, "child_id": child_id, "detail": detail}
            for record_id, child_id in items]
    if rows:
        conn.execute(insert(audit_log), rows)
