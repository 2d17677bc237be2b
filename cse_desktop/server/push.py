"""Applying pushed changes: idempotent by change id, optimistic on the base revision, signed
records immutable, every change checked against the caller's caseload.

The whole batch is one transaction together with the remembered answers, so a crash either
keeps a change and its answer or neither; a retry after a crash gets the same answers.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from ..records import RecordState, RecordType
from . import audit
from .access import can_see_child, can_see_record
from .db import lock_feed
from .errors import forbidden
from .faults import maybe_die
from .feed import store_version
from .identity import Caller
from .models import assignments, devices, processed_changes, record_versions, records, users
from .schemas import Change, ChangeResult, ChangeStatus
from .timeutil import aware, now

SIGNED_IMMUTABLE = ("This record was signed and cannot be changed. Add an addendum to correct "
                    "it instead.")


def _rejected(change: Change, reason: str, server_record: dict[str, Any] | None = None,
              revision: int | None = None) -> ChangeResult:
    return ChangeResult(change_id=change.change_id, status=ChangeStatus.REJECTED, reason=reason,
                        server_record=server_record, revision=revision)


def _same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    ignore = {"revision"}
    return {k: v for k, v in a.items() if k not in ignore} == {
        k: v for k, v in b.items() if k not in ignore}


class _Batch:
    def __init__(self, conn: Connection, caller: Caller) -> None:
        self.conn, self.caller = conn, caller
        self.conflicted: set[str] = set()

    def apply(self, change: Change) -> ChangeResult:
        wire = change.record.model_dump(mode="json")
        record_type = change.record.record_type
        if record_type is RecordType.CHILD:
            if wire["child_id"] not in (None, wire["id"]):
                return _rejected(change, "A child's record must have its own id as child_id.")
            wire["child_id"] = wire["id"]
        elif not wire["child_id"]:
            return _rejected(change, "Every record must belong to a child (child_id is empty).")
        if wire["state"] == RecordState.SIGNED.value and wire["signature"] is None:
            return _rejected(change, "A signed record must carry its signature.")
        existing = self.conn.execute(select(records).where(records.c.id == wire["id"])).first()
        if existing is None:
            return self._create(change, wire, record_type)
        return self._update(change, wire, existing)

    def _last_change(self, record_id: str, revision: int) -> tuple[str | None, str | None]:
        row = self.conn.execute(
            select(users.c.name, devices.c.name.label("device"), record_versions.c.stored_at)
            .join(users, users.c.id == record_versions.c.user_id)
            .join(devices, devices.c.id == record_versions.c.device_id, isouter=True)
            .where(record_versions.c.record_id == record_id,
                   record_versions.c.revision == revision)).first()
        if row is None:
            return None, None
        who = f"{row.name} ({row.device})" if row.device else row.name
        stored = aware(row.stored_at)
        return who, stored.isoformat() if stored else None

    def _check_addendum(self, change: Change, wire: dict[str, Any]) -> ChangeResult | None:
        if not wire.get("amends_id"):
            return None
        amended = self.conn.execute(select(records.c.child_id).where(
            records.c.id == wire["amends_id"])).scalar()
        if amended != wire["child_id"]:
            return _rejected(change, "An addendum must belong to the same child as the record "
                                     "it corrects.")
        return None

    def _create(self, change: Change, wire: dict[str, Any],
                record_type: RecordType) -> ChangeResult:
        caller = self.caller
        if record_type is RecordType.CHILD:
            if not can_see_child(self.conn, caller, wire["id"]):
                # A brand-new child joins the caseload of the practitioner who recorded it.
                self.conn.execute(insert(assignments).values(
                    user_id=caller.user_id, child_id=wire["id"], assigned_at=now()))
        elif not can_see_child(self.conn, caller, wire["child_id"]):
            raise forbidden()
        problem = self._check_addendum(change, wire)
        if problem:
            return problem
        wire["revision"] = change.base_revision + 1
        store_version(self.conn, wire, change_id=change.change_id, user_id=caller.user_id,
                      device_id=caller.device_id, created_by=caller.user_id, insert_row=True)
        return ChangeResult(change_id=change.change_id, status=ChangeStatus.ACCEPTED,
                            revision=wire["revision"])

    def _update(self, change: Change, wire: dict[str, Any], existing: Any) -> ChangeResult:
        if not can_see_record(self.conn, self.caller, existing):
            raise forbidden()
        current = json.loads(existing.payload)
        if existing.child_id != wire["child_id"]:
            return _rejected(change, "A record cannot be moved to another child.",
                             current, existing.revision)
        if existing.record_type != wire["record_type"]:
            return _rejected(change, "A record cannot change its type.", current,
                             existing.revision)
        if existing.state == RecordState.SIGNED.value:
            if _same_content(current, wire):
                return ChangeResult(change_id=change.change_id, status=ChangeStatus.ACCEPTED,
                                    revision=existing.revision)
            return _rejected(change, SIGNED_IMMUTABLE, current, existing.revision)
        if wire["id"] in self.conflicted or change.base_revision != existing.revision:
            # Later changes to the same record in this batch were made on top of the
            # conflicting one, so they conflict too: none may overwrite the server's version.
            self.conflicted.add(wire["id"])
            by, at = self._last_change(wire["id"], existing.revision)
            return ChangeResult(change_id=change.change_id, status=ChangeStatus.CONFLICT,
                                revision=existing.revision, server_record=current,
                                changed_by=by, changed_at=at)
        problem = self._check_addendum(change, wire)
        if problem:
            return problem
        wire["revision"] = existing.revision + 1
        store_version(self.conn, wire, change_id=change.change_id,
                      user_id=self.caller.user_id, device_id=self.caller.device_id,
                      created_by=existing.created_by, insert_row=False)
        return ChangeResult(change_id=change.change_id, status=ChangeStatus.ACCEPTED,
                            revision=wire["revision"])


def apply_push(engine: Engine, caller: Caller, changes: list[Change]) -> list[ChangeResult]:
    """Apply a batch.  Raises ApiError(403) -- and applies nothing -- if any change concerns a
    child outside the caller's caseload."""
    results: list[ChangeResult] = []
    with engine.begin() as conn:
        lock_feed(conn)
        batch = _Batch(conn, caller)
        for change in changes:
            prior = conn.execute(select(processed_changes).where(
                processed_changes.c.change_id == change.change_id)).first()
            if prior is not None:
                if prior.user_id != caller.user_id:
                    raise forbidden()
                results.append(ChangeResult.model_validate_json(prior.result))
                continue
            result = batch.apply(change)
            conn.execute(insert(processed_changes).values(
                change_id=change.change_id, user_id=caller.user_id, device_id=caller.device_id,
                result=result.model_dump_json(), processed_at=now()))
            audit.log(conn, caller, f"push_{result.status.value}",
                      record_id=change.record.id, child_id=change.record.child_id or
                      change.record.id, detail=result.reason or f"revision {result.revision}")
            results.append(result)
            maybe_die("push-mid-batch")
        maybe_die("push-before-commit")
    maybe_die("push-after-commit")
    return results
