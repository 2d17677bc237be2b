"""Applying pushed changes: idempotent by change id, optimistic on the base revision, signed
records immutable, every change checked against the caller's caseload.

A batch is decided in memory (with the rows it touches read up front) and then written with a
handful of bulk statements, all in one transaction together with the remembered answers: a
crash keeps a change and its answer or neither, and a retry gets the same answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, select, update

from ..forms import FormLibrary
from ..records import RecordState, RecordType
from . import audit
from .access import can_see_child
from .db import lock_feed
from .errors import ApiError, forbidden
from .faults import maybe_die
from .feed import encode, is_sensitive
from .identity import Caller
from .models import (
    assignments,
    audit_log,
    devices,
    feed,
    processed_changes,
    record_versions,
    records,
    users,
)
from .schemas import Change, ChangeResult, ChangeStatus
from .timeutil import aware, now
from .validation import Problem, describe, json_problem, record_problem

SIGNED_IMMUTABLE = ("This record was signed and cannot be changed. Add an addendum to correct "
                    "it instead.")
DEFAULT_MAX_RECORD_BYTES = 2 * 1024 * 1024  # a 1 MB case note and its envelope fit
_CHUNK = 500


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


@dataclass
class _Row:
    """The current server version of a record, as the batch sees it."""

    id: str
    record_type: str
    child_id: str
    state: str
    revision: int
    sensitive: bool
    created_by: str
    wire: dict[str, Any]
    in_database: bool


def _rejected(change: Change, reason: str, row: _Row | None = None) -> ChangeResult:
    return ChangeResult(change_id=change.change_id, status=ChangeStatus.REJECTED, reason=reason,
                        server_record=row.wire if row else None,
                        revision=row.revision if row else None)


def _invalid(change: Change, problem: Problem) -> ChangeResult:
    """The 422 of one change: refused, naming the field; the rest of the batch goes on."""
    return ChangeResult(change_id=change.change_id, status=ChangeStatus.REJECTED,
                        reason=describe(problem), code="invalid_record", field=problem.field)


def _same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return {k: v for k, v in a.items() if k != "revision"} == {
        k: v for k, v in b.items() if k != "revision"}


class _Batch:
    def __init__(self, conn: Connection, caller: Caller, changes: list[Change], *,
                 max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
                 library: FormLibrary | None = None) -> None:
        self.conn, self.caller = conn, caller
        self.max_record_bytes, self.library = max_record_bytes, library
        self.refused: Change | None = None  # the change that made the batch 403
        self.rows: dict[str, _Row] = {}
        self.visible: dict[str, bool] = {}
        self.conflicted: set[str] = set()
        self.writes: list[dict[str, Any]] = []  # wires to store, in order
        self.write_changes: list[str] = []
        self.new_children: list[str] = []
        ids = sorted({c.record.id for c in changes})
        for chunk in _chunks(ids):
            for r in conn.execute(select(records).where(records.c.id.in_(chunk))):
                self.rows[r.id] = _Row(r.id, r.record_type, r.child_id, r.state, r.revision,
                                       r.sensitive, r.created_by, json.loads(r.payload), True)

    # -- access -------------------------------------------------------------------------------

    def sees_child(self, child_id: str) -> bool:
        if child_id not in self.visible:
            self.visible[child_id] = can_see_child(self.conn, self.caller, child_id)
        return self.visible[child_id]

    def sees_row(self, row: _Row) -> bool:
        if self.caller.sees_everything:
            return True
        if row.sensitive and not self.caller.leads_team and (
                row.created_by != self.caller.user_id):
            return False
        return self.sees_child(row.child_id)

    # -- deciding -----------------------------------------------------------------------------

    def _door(self, change: Change, wire: dict[str, Any],
              existing: _Row | None) -> ChangeResult | None:
        """Checks made once the caller may touch the record: the record itself (text, size,
        form) and who it names as author and signer."""
        problem = record_problem(wire, max_record_bytes=self.max_record_bytes,
                                 library=self.library)
        if problem:
            return _invalid(change, problem)
        author = existing.wire.get("author") if existing else self.caller.name
        if wire["author"] != author:
            return _invalid(change, Problem("author", (
                f"says the record was written by '{wire['author']}', but it was written by "
                f"'{author}'. The author cannot be changed." if existing else
                f"must be the name of the person whose device sends it ('{author}').")))
        signature = wire.get("signature")
        newly_signed = wire["state"] == RecordState.SIGNED.value and (
            existing is None or existing.state != RecordState.SIGNED.value)
        if newly_signed and signature and signature.get("signed_by") != self.caller.name:
            return _invalid(change, Problem("signature.signed_by", (
                f"must be the name of the person whose device signed it "
                f"('{self.caller.name}').")))
        return None

    def _refuse(self, change: Change) -> ApiError:
        self.refused = change
        return forbidden()

    def apply(self, change: Change) -> ChangeResult:
        # The answers are free-form JSON to the request schema: check their text before
        # anything else touches them (a lone surrogate cannot even be written out again).
        bad_text = json_problem(change.record.data, "data")
        if bad_text:
            return _invalid(change, bad_text)
        wire = change.record.model_dump(mode="json")
        if change.record.record_type is RecordType.CHILD:
            if wire["child_id"] not in (None, wire["id"]):
                return _rejected(change, "A child's record must have its own id as child_id.")
            wire["child_id"] = wire["id"]
        elif not wire["child_id"]:
            return _rejected(change, "Every record must belong to a child (child_id is empty).")
        if wire["state"] == RecordState.SIGNED.value and wire["signature"] is None:
            return _rejected(change, "A signed record must carry its signature.")
        existing = self.rows.get(wire["id"])
        if existing is None:
            return self._create(change, wire)
        return self._update(change, wire, existing)

    def _addendum_problem(self, change: Change, wire: dict[str, Any]) -> ChangeResult | None:
        amends = wire.get("amends_id")
        if not amends:
            return None
        row = self.rows.get(amends)
        child = row.child_id if row else self.conn.execute(
            select(records.c.child_id).where(records.c.id == amends)).scalar()
        if child != wire["child_id"]:
            return _rejected(change, "An addendum must belong to the same child as the record "
                                     "it corrects.")
        return None

    def _assigned_to_anyone(self, child_id: str) -> bool:
        return self.conn.execute(select(assignments.c.user_id).where(
            assignments.c.child_id == child_id).limit(1)).first() is not None

    def _create(self, change: Change, wire: dict[str, Any]) -> ChangeResult:
        caller = self.caller
        joins_caseload = False
        if change.record.record_type is RecordType.CHILD:
            if not self.sees_child(wire["id"]):
                if self._assigned_to_anyone(wire["id"]):
                    # The id is in someone else's caseload: taking it would let the caller
                    # read that worker's later notes.
                    raise self._refuse(change)
                joins_caseload = True
        elif not self.sees_child(wire["child_id"]):
            raise self._refuse(change)
        refused = self._door(change, wire, None)
        if refused:
            return refused
        if joins_caseload:
            # A brand-new child joins the caseload of the practitioner who recorded it.
            self.new_children.append(wire["id"])
            self.visible[wire["id"]] = True
        problem = self._addendum_problem(change, wire)
        if problem:
            return problem
        wire["revision"] = change.base_revision + 1
        self._store(change, wire, created_by=caller.user_id, in_database=False)
        return ChangeResult(change_id=change.change_id, status=ChangeStatus.ACCEPTED,
                            revision=wire["revision"])

    def _update(self, change: Change, wire: dict[str, Any], existing: _Row) -> ChangeResult:
        if not self.sees_row(existing):
            raise self._refuse(change)
        if existing.child_id != wire["child_id"]:
            return _rejected(change, "A record cannot be moved to another child.", existing)
        if existing.record_type != wire["record_type"]:
            return _rejected(change, "A record cannot change its type.", existing)
        if existing.state == RecordState.SIGNED.value:
            if _same_content(existing.wire, wire):
                return ChangeResult(change_id=change.change_id, status=ChangeStatus.ACCEPTED,
                                    revision=existing.revision)
            return _rejected(change, SIGNED_IMMUTABLE, existing)
        refused = self._door(change, wire, existing)
        if refused:
            return refused
        if wire["id"] in self.conflicted or change.base_revision != existing.revision:
            # Later changes to the same record in this batch were made on top of the
            # conflicting one, so they conflict too: none may overwrite the server's version.
            self.conflicted.add(wire["id"])
            by, at = self._last_change(existing)
            return ChangeResult(change_id=change.change_id, status=ChangeStatus.CONFLICT,
                                revision=existing.revision, server_record=existing.wire,
                                changed_by=by, changed_at=at)
        problem = self._addendum_problem(change, wire)
        if problem:
            return problem
        wire["revision"] = existing.revision + 1
        self._store(change, wire, created_by=existing.created_by,
                    in_database=existing.in_database)
        return ChangeResult(change_id=change.change_id, status=ChangeStatus.ACCEPTED,
                            revision=wire["revision"])

    def _store(self, change: Change, wire: dict[str, Any], *, created_by: str,
               in_database: bool) -> None:
        self.rows[wire["id"]] = _Row(wire["id"], wire["record_type"], wire["child_id"],
                                     wire["state"], wire["revision"], is_sensitive(wire),
                                     created_by, wire, in_database)
        self.writes.append(wire)
        self.write_changes.append(change.change_id)

    def _last_change(self, row: _Row) -> tuple[str | None, str | None]:
        if not row.in_database:
            return self.caller.name, now().isoformat()
        found = self.conn.execute(
            select(users.c.name, devices.c.name.label("device"), record_versions.c.stored_at)
            .join(users, users.c.id == record_versions.c.user_id)
            .join(devices, devices.c.id == record_versions.c.device_id, isouter=True)
            .where(record_versions.c.record_id == row.id,
                   record_versions.c.revision == row.revision)).first()
        if found is None:
            return None, None
        who = f"{found.name} ({found.device})" if found.device else found.name
        stored = aware(found.stored_at)
        return who, stored.isoformat() if stored else None

    # -- writing ------------------------------------------------------------------------------

    def flush(self, answers: Iterable[tuple[Change, ChangeResult]]) -> None:
        conn, caller, at = self.conn, self.caller, now()
        if self.new_children:
            conn.execute(insert(assignments), [
                {"user_id": caller.user_id, "child_id": c, "assigned_at": at}
                for c in self.new_children])
        if self.writes:
            seqs = conn.execute(
                insert(feed).returning(feed.c.seq, sort_by_parameter_order=True),
                [{"record_id": w["id"]} for w in self.writes]).scalars().all()
            conn.execute(insert(record_versions), [
                {"record_id": w["id"], "revision": w["revision"], "change_id": change_id,
                 "user_id": caller.user_id, "device_id": caller.device_id,
                 "payload": encode(w), "stored_at": at}
                for w, change_id in zip(self.writes, self.write_changes, strict=True)])
            last_seq = {w["id"]: s for w, s in zip(self.writes, seqs, strict=True)}
            fresh, changed = [], []
            for record_id, seq in last_seq.items():
                row = self.rows[record_id]
                values = {"record_type": row.record_type, "child_id": row.child_id,
                          "state": row.state, "revision": row.revision,
                          "deleted": bool(row.wire["deleted"]), "sensitive": row.sensitive,
                          "seq": seq, "payload": encode(row.wire), "stored_at": at}
                if row.in_database:
                    changed.append({"b_id": record_id, **values})
                else:
                    fresh.append({"id": record_id, "created_by": row.created_by, **values})
            if fresh:
                conn.execute(insert(records), fresh)
            if changed:
                conn.execute(update(records).where(records.c.id == bindparam("b_id")),
                             changed)
        done = list(answers)
        if done:
            conn.execute(insert(processed_changes), [
                {"change_id": c.change_id, "user_id": caller.user_id,
                 "device_id": caller.device_id, "result": r.model_dump_json(),
                 "processed_at": at} for c, r in done])
            conn.execute(insert(audit_log), [
                {"at": at, "user_id": caller.user_id, "device_id": caller.device_id,
                 "action": f"push_{r.status.value}", "record_id": c.record.id,
                 "child_id": c.record.child_id or c.record.id,
                 "detail": r.reason or f"revision {r.revision}"} for c, r in done])


def apply_push(engine: Engine, caller: Caller, changes: list[Change], *,
               max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
               library: FormLibrary | None = None) -> list[ChangeResult]:
    """Apply a batch.  Raises ApiError(403) -- and applies nothing -- if any change concerns a
    child outside the caller's caseload; the refusal is audited in a transaction of its own."""
    holder: list[_Batch] = []
    try:
        return _apply(engine, caller, changes, holder, max_record_bytes, library)
    except ApiError as refusal:
        refused = holder[0].refused if holder else None
        audit.log_refusal(
            engine, caller, "push_refused",
            record_id=refused.record.id if refused else None,
            child_id=(refused.record.child_id or refused.record.id) if refused else None,
            detail=f"{refusal.code}: whole batch of {len(changes)} refused"
                   + (f" (change {refused.change_id})" if refused else ""))
        raise


def _apply(engine: Engine, caller: Caller, changes: list[Change], holder: list[_Batch],
           max_record_bytes: int, library: FormLibrary | None) -> list[ChangeResult]:
    results: list[ChangeResult] = []
    with engine.begin() as conn:
        lock_feed(conn)
        prior: dict[str, Any] = {}
        for chunk in _chunks(sorted({c.change_id for c in changes})):
            for row in conn.execute(select(processed_changes).where(
                    processed_changes.c.change_id.in_(chunk))):
                prior[row.change_id] = row
        batch = _Batch(conn, caller, changes, max_record_bytes=max_record_bytes,
                       library=library)
        holder.append(batch)
        fresh: list[tuple[Change, ChangeResult]] = []
        answered: dict[str, ChangeResult] = {}
        for change in changes:
            if change.change_id in prior:
                if prior[change.change_id].user_id != caller.user_id:
                    batch.refused = change
                    raise forbidden()
                results.append(ChangeResult.model_validate_json(
                    prior[change.change_id].result))
                continue
            if change.change_id in answered:  # the same change twice in one request
                results.append(answered[change.change_id])
                continue
            result = batch.apply(change)
            answered[change.change_id] = result
            fresh.append((change, result))
            results.append(result)
            maybe_die("push-mid-batch")
        batch.flush(fresh)
        maybe_die("push-before-commit")
    maybe_die("push-after-commit")
    return results
