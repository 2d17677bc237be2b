"""One sync round: push the outbox in batches, then pull the feed page by page.

- Nothing leaves the outbox until the service has acknowledged it.
- Each pulled page is written together with the new cursor in one local transaction, so an
  interrupted sync resumes with no gap and no duplicate.
- A conflicting draft is merged field by field against the last agreed version; real clashes
  go to the review queue and the local version stays until the practitioner chooses.
- A child withdrawn from the user's caseload is purged (audited) with all its records, in the
  same transaction as the cursor; if some of them still have changes the service has not
  accepted, the child stays, is reported, and is removed at a later sync once they are gone.
- If the service says the device is revoked, unsynced work is pushed if possible, otherwise
  saved to an encrypted rescue bundle, and then the key file and database are wiped.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..records import Actor, Record, Role, utc_now
from ..store import OutboxChange, Store
from ..store.connection import Connection
from . import rescue
from .conflicts import ConflictQueue, apply_clean_merge
from .enrolment import Enrolment
from .errors import CursorAhead, DeviceRevoked, Forbidden, NotEnrolled, SyncError, TooLarge
from .merge import merged_record, same_content, three_way
from .tls import Verify, ssl_context
from .transport import Transport

CURSOR_KEY = "pull_cursor"
BLOCKED_KEY = "blocked_changes"
WITHDRAWN_KEY = "withdrawn_children"  # withdrawn children kept back for their unsynced work
WITHDRAWN_REASON = "removed from your caseload by the central service"


@dataclass(frozen=True)
class Progress:
    phase: str  # "push" or "pull"
    done: int
    total: int | None  # None while the size of the feed is unknown

    @property
    def text(self) -> str:
        what = "Sending changes" if self.phase == "push" else "Receiving records"
        return f"{what}: {self.done} of {self.total}" if self.total else f"{what}: {self.done}"


ProgressCallback = Callable[[Progress], None]


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    merged: int = 0
    new_conflicts: int = 0
    open_conflicts: int = 0
    blocked: dict[str, str] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)  # child ids taken off this device
    kept: dict[str, str] = field(default_factory=dict)  # child id -> why it is still here
    finished_at: datetime | None = None

    @property
    def summary(self) -> str:
        parts = [f"{self.pushed} sent", f"{self.pulled} received"]
        if self.merged:
            parts.append(f"{self.merged} merged")
        if self.open_conflicts:
            parts.append(f"{self.open_conflicts} to review")
        if self.blocked:
            parts.append(f"{len(self.blocked)} not accepted")
        if self.removed:
            parts.append(f"{len(self.removed)} removed from your caseload")
        if self.kept:
            parts.append(f"{len(self.kept)} kept until its changes are accepted")
        return ", ".join(parts)


def actor_for(store: Store) -> Actor:
    user = store.get_meta("user") or {}
    return Actor(user_id=str(user.get("user_id") or "sync"),
                 name=str(user.get("name") or "Sync"),
                 role=Role(user.get("role") or Role.OUTREACH_WORKER.value),
                 device_id=store.device_id)


class SyncClient:
    def __init__(self, store: Store, base_url: str, token: str, verify: Verify = True, *,
                 ca_pem: str | None = None, actor: Actor | None = None,
                 push_batch: int = 200, pull_limit: int = 500, retries: int = 4,
                 backoff: float = 0.5, transport: Transport | None = None) -> None:
        self.store = store
        self.actor = actor or actor_for(store)
        self.transport = transport or Transport(base_url, token, ssl_context(verify, ca_pem),
                                                retries=retries, backoff=backoff)
        self.push_batch, self.pull_limit = push_batch, pull_limit
        self.conflicts = ConflictQueue(store, self.actor)

    @classmethod
    def from_store(cls, store: Store, verify: Verify = True, **kwargs: Any) -> SyncClient:
        """A client for the enrolment saved in the store (NotEnrolled if there is none)."""
        enrolment = Enrolment.load(store)
        if enrolment is None:
            raise NotEnrolled()
        return cls(store, enrolment.base_url, enrolment.token, verify,
                   ca_pem=enrolment.ca_certificate_pem, **kwargs)

    def close(self) -> None:
        self.transport.close()

    # -- the round -----------------------------------------------------------------------------

    def sync_once(self, progress_callback: ProgressCallback | None = None) -> SyncReport:
        report = SyncReport()
        notify = progress_callback or (lambda _p: None)
        try:
            self._push_all(report, notify)
            self._pull_all(report, notify)
        except DeviceRevoked as exc:
            raise self._revoked(exc.service_message) from exc
        report.open_conflicts = self.conflicts.count()
        report.finished_at = utc_now()
        return report

    # -- push ----------------------------------------------------------------------------------

    def _blocked(self) -> dict[str, str]:
        return dict(self.store.get_sync_state(BLOCKED_KEY, {}) or {})

    def _pushable(self, blocked: dict[str, str]) -> list[OutboxChange]:
        """The next batch, holding back records under review or with a refused change (later
        changes of such a record were made on top of it)."""
        held = self.conflicts.open_record_ids()
        limit = self.push_batch
        while True:
            pending = self.store.pending_changes(limit=limit)
            batch: list[OutboxChange] = []
            for change in pending:
                if change.change_id in blocked:
                    held.add(change.record_id)
                if change.record_id in held:
                    continue
                batch.append(change)
                if len(batch) == self.push_batch:
                    return batch
            if len(pending) < limit:
                return batch
            limit *= 4

    def _push_all(self, report: SyncReport, notify: ProgressCallback) -> None:
        blocked = self._blocked()
        total = self.store.pending_count()
        done = 0
        if total:
            notify(Progress("push", 0, total))
        for _ in range(10_000):
            batch = self._pushable(blocked)
            if not batch:
                break
            self._push_batch(batch, report, blocked)
            done += len(batch)
            notify(Progress("push", min(done, total), max(total, done)))
        self.store.set_sync_state(BLOCKED_KEY, blocked)
        report.blocked = blocked

    def _send(self, batch: list[OutboxChange]) -> list[tuple[OutboxChange, dict[str, Any]]]:
        wire = [{"change_id": c.change_id, "base_revision": c.base_revision,
                 "record": c.record.to_wire()} for c in batch]
        try:
            results = self.transport.push(wire)
        except TooLarge as exc:
            # Over the service's size limit: send the batch in halves.
            if len(batch) == 1:
                return [(batch[0], {"change_id": batch[0].change_id, "status": "too_large",
                                    "reason": str(exc)})]
            half = len(batch) // 2
            return self._send(batch[:half]) + self._send(batch[half:])
        except Forbidden as exc:
            if len(batch) == 1:
                return [(batch[0], {"change_id": batch[0].change_id, "status": "forbidden",
                                    "reason": str(exc)})]
            # Find the refused change(s); the others go through one by one.
            out: list[tuple[OutboxChange, dict[str, Any]]] = []
            for change in batch:
                out.extend(self._send([change]))
            return out
        by_id = {r["change_id"]: r for r in results}
        return [(c, by_id[c.change_id]) for c in batch if c.change_id in by_id]

    def _push_batch(self, batch: list[OutboxChange], report: SyncReport,
                    blocked: dict[str, str]) -> None:
        accepted: list[str] = []
        conflicting: dict[str, dict[str, Any]] = {}
        for change, result in self._send(batch):
            status = result["status"]
            if status == "accepted":
                accepted.append(change.change_id)
            elif status == "conflict" or (
                    status == "rejected"
                    and (result.get("server_record") or {}).get("state") == "signed"):
                # Signed on the service meanwhile: shown for review like any clash.
                conflicting.setdefault(change.record_id, result)
            else:
                blocked[change.change_id] = str(result.get("reason") or "Not accepted.")
        if accepted:
            self.store.acknowledge(accepted)
            report.pushed += len(accepted)
        for record_id, result in conflicting.items():
            self._handle_conflict(record_id, result, report)

    def _handle_conflict(self, record_id: str, result: dict[str, Any],
                         report: SyncReport) -> None:
        remote = Record.from_wire(result["server_record"])
        local = self.store.find(record_id)
        if local is None:
            return
        base = self.store.sync_base(record_id)
        merge = three_way(base, local, remote)
        with self.store.transaction() as conn:
            if merge.clean:
                merged = None if same_content(local, remote) else merged_record(
                    local, remote, merge)
                apply_clean_merge(self.store, conn, self.actor, local, remote, merged)
                report.merged += 1
            else:
                self.conflicts.add(conn, merge.clashes, local, remote, base,
                                   result.get("changed_by"), result.get("changed_at"))
                report.new_conflicts += 1

    # -- pull ----------------------------------------------------------------------------------

    def _pull_all(self, report: SyncReport, notify: ProgressCallback) -> None:
        cursor = int(self.store.get_sync_state(CURSOR_KEY, 0) or 0)
        while True:
            try:
                page = self.transport.pull(cursor, self.pull_limit)
            except CursorAhead:
                if cursor == 0:
                    raise
                cursor = 0  # fetch everything again; versions we have are skipped
                continue
            records = [Record.from_wire(w) for w in page["records"]]
            withdrawn = [str(child_id) for child_id in page.get("withdrawn") or []]
            held = self.conflicts.open_record_ids()
            with self.store.transaction() as conn:
                deferred = set(self.store.get_sync_state(WITHDRAWN_KEY, []) or [])
                for record in records:
                    # Records of a child arriving again: it is back in the caseload.
                    deferred.discard(record.child_id or record.id)
                    if record.id in held:
                        self.conflicts.refresh_remote(conn, record)
                    elif self.store.has_pending(record.id):
                        continue  # local changes win the race; the next push merges them
                    elif self._already_have(record):
                        continue  # our own change coming back, or a re-sent version
                    else:
                        self.store.put_remote(record, conn=conn)
                for child_id in withdrawn:
                    self._withdraw(conn, child_id, deferred, report)
                self.store.set_sync_state(WITHDRAWN_KEY, sorted(deferred), conn=conn)
                self.store.set_sync_state(CURSOR_KEY, int(page["cursor"]), conn=conn)
            cursor = int(page["cursor"])
            report.pulled += len(records)
            remaining = int(page.get("remaining") or 0)
            notify(Progress("pull", report.pulled, report.pulled + remaining or None))
            if not page["more"]:
                break
        self._retry_withdrawals(report)

    def _withdraw(self, conn: Connection, child_id: str, deferred: set[str],
                  report: SyncReport) -> None:
        """Remove a child withdrawn from the caseload, unless it has unsynced changes."""
        child = self.store.find(child_id)
        removed = self.store.remove_child(child_id, self.actor, WITHDRAWN_REASON, conn=conn)
        if removed is None:
            deferred.add(child_id)
            data = child.data if child else {}
            name = " ".join(str(data.get(k) or "") for k in ("first_name", "last_name")).strip()
            name = name or str(data.get("name") or "A child")
            report.kept[child_id] = (f"{name} could not be removed because it has changes not "
                                     "yet accepted by the service.")
            return
        deferred.discard(child_id)
        report.kept.pop(child_id, None)
        if removed and child_id not in report.removed:
            report.removed.append(child_id)

    def _retry_withdrawals(self, report: SyncReport) -> None:
        """Children kept back by an earlier sync go once their changes have been accepted."""
        if not self.store.get_sync_state(WITHDRAWN_KEY, []):
            return
        with self.store.transaction() as conn:
            deferred = set(self.store.get_sync_state(WITHDRAWN_KEY, []) or [])
            for child_id in sorted(deferred):
                self._withdraw(conn, child_id, deferred, report)
            self.store.set_sync_state(WITHDRAWN_KEY, sorted(deferred), conn=conn)

    def _already_have(self, record: Record) -> bool:
        base = self.store.sync_base(record.id)
        return base is not None and base.revision >= record.revision and self.store.find(
            record.id) is not None

    # -- revocation ----------------------------------------------------------------------------

    def _revoked(self, message: str) -> DeviceRevoked:
        rescue_path: Path | None = None
        try:
            if rescue.unsynced_count(self.store):
                with contextlib.suppress(SyncError):
                    self._push_all(SyncReport(), lambda _p: None)
                if rescue.unsynced_count(self.store):
                    rescue_path = rescue.write_bundle(self.store, message)
        finally:
            self.close()
        rescue.wipe(self.store)
        return DeviceRevoked(message, wiped=True, rescue_path=rescue_path)



def blocked_reasons(store: Store) -> dict[str, str]:
    """Changes the service refused (by change id), with its reasons, kept in the outbox."""
    return dict(store.get_sync_state(BLOCKED_KEY, {}) or {})
