"""One sync round: push the outbox in batches, pull the feed page by page, then send the large
changes one at a time.

- Nothing leaves the outbox until the service has acknowledged it.
- Batches are limited by count **and bytes**, and the byte size adapts to the link (halved
  after a dropped connection, grown while requests go through quickly).  A change bigger than
  ``big_change`` bytes is sent on its own, after the pull, so it never holds up the small
  changes or the records coming in; if it cannot get through it is kept as "stuck" (named in
  the report with its size) and tried again at every sync.
- Push and pull are independent: a push that fails on the network does not stop the pull.
- Each pulled page is written together with the new cursor in one local transaction, so an
  interrupted sync resumes with no gap and no duplicate.  Pages are sized by bytes and adapt to
  the link too; the service does not send this device its own accepted versions back (only
  their ids and revisions; one the device does not hold after all is fetched on its own).
- A conflicting draft is merged field by field against the last agreed version; real clashes
  go to the review queue and the local version stays until the practitioner chooses.
- A child withdrawn from the user's caseload is purged (audited) with all its records, in the
  same transaction as the cursor; if some of them still have changes the service has not
  accepted, the child stays, is reported, and is removed at a later sync once they are gone.
- If the service says the device is revoked, unsynced work is pushed if possible, otherwise
  saved to an encrypted rescue bundle, and then the key file and database are wiped.
- A round can be cancelled and has an overall deadline (:class:`~.control.RoundControl`).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..clock import Clock
from ..records import Actor, Record, RecordType, Role
from ..store import OutboxChange, Store
from ..store.connection import Connection
from . import rescue
from .conflicts import ConflictQueue, apply_clean_merge
from .control import DEFAULT_ROUND_SECONDS, RoundControl
from .enrolment import Enrolment
from .errors import (
    CursorAhead,
    DeviceRevoked,
    Forbidden,
    NotEnrolled,
    NotTheService,
    Offline,
    SyncError,
    TooLarge,
)
from .merge import merged_record, same_content, three_way
from .pacing import Pacer
from .renewal import renew_if_due
from .tls import Verify, ssl_context
from .transport import Timeouts, Transport, TransportStats

CURSOR_KEY = "pull_cursor"
BLOCKED_KEY = "blocked_changes"
STUCK_KEY = "stuck_changes"  # large changes that could not get through: change id -> details
WITHDRAWN_KEY = "withdrawn_children"  # withdrawn children kept back for their unsynced work
WITHDRAWN_REASON = "removed from your caseload by the central service"
DROPS_PER_PHASE = 6  # dropped connections in a row (with smaller requests each time)


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


@dataclass(frozen=True)
class Progress:
    phase: str  # "push", "pull" or "big"
    done: int
    total: int | None  # None while the size of the feed is unknown
    detail: str = ""  # e.g. "Sending a large case note (1.0 MB): 340 KB sent"

    @property
    def text(self) -> str:
        if self.detail:
            return self.detail
        what = "Sending changes" if self.phase == "push" else "Receiving records"
        return f"{what}: {self.done} of {self.total}" if self.total else f"{what}: {self.done}"


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class StuckChange:
    """A large change that has not got through yet (kept in the outbox, retried each sync)."""

    change_id: str
    record_id: str
    label: str
    size: int
    attempts: int
    reason: str

    @property
    def text(self) -> str:
        return (f"{self.label} ({size_text(self.size)}) could not be sent over this connection "
                f"yet; it is kept on this computer and tried again at every sync (\"Try "
                f"sending it again now\" sends it first).")

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StuckChange:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})


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
    stuck: dict[str, StuckChange] = field(default_factory=dict)  # change id -> details
    own_skipped: int = 0  # own versions the service did not send back
    push_error: SyncError | None = None
    pull_error: SyncError | None = None
    stats: TransportStats | None = None
    finished_at: datetime | None = None
    certificate_renewed: bool = False

    @property
    def complete(self) -> bool:
        return self.push_error is None and self.pull_error is None

    @property
    def problem(self) -> str:
        """What did not work in a round that otherwise went through, in plain words."""
        if self.complete:
            return ""
        sent = f"{self.pushed} change{'s' if self.pushed != 1 else ''} sent"
        got = f"{self.pulled} record{'s' if self.pulled != 1 else ''} received"
        if self.pull_error is not None and self.push_error is None:
            return (f"{sent}, but receiving updates failed ({_why(self.pull_error)}). Updates "
                    "will be received at the next sync.")
        if self.push_error is not None and self.pull_error is None:
            return (f"{got}, but sending changes failed ({_why(self.push_error)}). Your work "
                    "is saved on this computer and will be sent at the next sync.")
        return (f"{sent} and {got} before the connection failed ({_why(self.pull_error)}). "
                "The rest will follow at the next sync.")

    @property
    def summary(self) -> str:
        parts = [f"{self.pushed} sent", f"{self.pulled} received"]
        if self.merged:
            parts.append(f"{self.merged} merged")
        if self.open_conflicts:
            parts.append(f"{self.open_conflicts} to review")
        if self.blocked:
            parts.append(f"{len(self.blocked)} not accepted")
        if self.stuck:
            parts.append(f"{len(self.stuck)} too large for this connection")
        if self.removed:
            parts.append(f"{len(self.removed)} removed from your caseload")
        if self.kept:
            parts.append(f"{len(self.kept)} kept until its changes are accepted")
        return ", ".join(parts)


def _why(error: SyncError | None) -> str:
    """A short reason for a sentence that says itself what was done."""
    if isinstance(error, Offline):
        return "the connection kept dropping" if error.dropped else "the connection was lost"
    return str(error).rstrip(".") if error is not None else "unknown problem"


def actor_for(store: Store) -> Actor:
    user = store.get_meta("user") or {}
    return Actor(user_id=str(user.get("user_id") or "sync"),
                 name=str(user.get("name") or "Sync"),
                 role=Role(user.get("role") or Role.OUTREACH_WORKER.value),
                 device_id=store.device_id)


def _wire_change(change: OutboxChange) -> dict[str, Any]:
    return {"change_id": change.change_id, "base_revision": change.base_revision,
            "record": change.record.to_wire()}


def _wire_size(change: OutboxChange) -> int:
    return len(json.dumps(_wire_change(change), separators=(",", ":")).encode())


class SyncClient:
    def __init__(self, store: Store, base_url: str, token: str, verify: Verify = True, *,
                 ca_pem: str | None = None, actor: Actor | None = None,
                 push_batch: int = 200, pull_limit: int = 500, retries: int = 4,
                 backoff: float = 0.5, transport: Transport | None = None,
                 push_bytes: int = 256 * 1024, big_change: int = 128 * 1024,
                 pull_bytes: int = 256 * 1024, round_seconds: float | None =
                 DEFAULT_ROUND_SECONDS, timeouts: Timeouts | None = None,
                 clock: Clock | None = None) -> None:
        self.store = store
        self.actor = actor or actor_for(store)
        self.transport = transport or Transport(base_url, token, ssl_context(verify, ca_pem),
                                                retries=retries, backoff=backoff,
                                                timeouts=timeouts)
        self.push_batch, self.pull_limit = push_batch, pull_limit
        self.big_change = big_change
        self.round_seconds = round_seconds
        self.clock = clock or store.clock
        self.push_pacer = Pacer(push_bytes)
        self.pull_pacer = Pacer(pull_bytes)
        self.conflicts = ConflictQueue(store, self.actor)
        self.control: RoundControl | None = None

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

    def cancel(self) -> None:
        """Stop the round in progress (from any thread); it raises SyncCancelled."""
        control = self.control
        if control is not None:
            control.cancel()

    # -- the round -----------------------------------------------------------------------------

    def sync_once(self, progress_callback: ProgressCallback | None = None,
                  control: RoundControl | None = None, *,
                  stuck_first: bool = False) -> SyncReport:
        """One round.  A network failure in one direction does not stop the other; the round
        raises only when nothing could be done at all (or it was cancelled, or ran out of
        time), with the partial report on the error as ``report``.

        ``stuck_first`` ("Try sending it again now"): the large changes that got stuck are
        sent first, each on its own, before anything else (then the round goes on as usual,
        without trying them a second time)."""
        report = SyncReport()
        notify = progress_callback or (lambda _p: None)
        control = control or RoundControl(self.round_seconds, clock=self.clock)
        self.control = control
        self.transport.attach(control)
        control.start_watch()
        before = TransportStats(**self.transport.stats.__dict__)
        try:
            report.certificate_renewed = renew_if_due(self.store, self.transport, self.actor)
            self._round(report, notify, stuck_first)
        except DeviceRevoked as exc:
            raise self._revoked(exc.service_message) from exc
        except SyncError as exc:
            exc.report = report  # type: ignore[attr-defined]
            raise
        finally:
            control.close()
            self.control = None
            now = self.transport.stats
            report.stats = TransportStats(**{k: getattr(now, k) - getattr(before, k)
                                             for k in now.__dict__})
        report.open_conflicts = self.conflicts.count()
        report.finished_at = self.clock.now()
        return report

    def _round(self, report: SyncReport, notify: ProgressCallback,
               stuck_first: bool = False) -> None:
        big: list[OutboxChange] = []
        if stuck_first:
            stuck = self.stuck_changes()
            first = [c for c in self.store.pending_changes(limit=1_000_000)
                     if c.change_id in stuck]
            if first:
                self._push_big(report, notify, first)
        try:
            self._push_all(report, notify, big)
        except Offline as exc:
            if not exc.dropped and not report.pushed:
                raise  # no connection at all: the pull would fail the same way
            report.push_error = exc
        try:
            self._pull_all(report, notify)
        except Offline as exc:
            if report.push_error is not None and not report.pushed:
                raise  # nothing at all went through
            report.pull_error = exc
        if report.push_error is None:
            # (One that was tried first in this round and failed is not tried again.)
            self._push_big(report, notify, [c for c in big if c.change_id not in report.stuck])
            if big and not report.stuck:  # their records' later changes can go now
                self._push_all(report, notify, [])
        self._save_stuck(report)
        if not report.pushed and not report.pulled and report.push_error is not None:
            raise report.push_error
        if report.push_error is None:  # proven times for signed records (never fails a round)
            from .record_timestamps import stamp_synced_records
            stamp_synced_records(self.store)

    # -- push ----------------------------------------------------------------------------------

    def _blocked(self) -> dict[str, str]:
        return dict(self.store.get_sync_state(BLOCKED_KEY, {}) or {})

    def stuck_changes(self) -> dict[str, StuckChange]:
        """Large changes that have not got through yet (still in the outbox)."""
        data = self.store.get_sync_state(STUCK_KEY, {}) or {}
        return {k: StuckChange.from_dict(v) for k, v in data.items()}

    def _save_stuck(self, report: SyncReport) -> None:
        previous = self.stuck_changes()
        if not previous and not report.stuck:
            return
        still = {k: v for k, v in previous.items() if k not in report.stuck}
        # Keep the older entries only while their change is still waiting in the outbox.
        merged = {k: v for k, v in still.items() if self.store.has_pending(v.record_id)
                  and self._in_outbox(k)} | report.stuck
        for key, value in merged.items():
            report.stuck.setdefault(key, value)
        self.store.set_sync_state(STUCK_KEY, {k: v.to_dict() for k, v in merged.items()})

    def _in_outbox(self, change_id: str) -> bool:
        return any(c.change_id == change_id
                   for c in self.store.pending_changes(limit=1_000_000))

    def _pushable(self, blocked: dict[str, str], big: list[OutboxChange]
                  ) -> list[OutboxChange]:
        """The next batch (by count and by bytes), holding back records under review or with
        a refused change (later changes of such a record were made on top of it).  Changes
        too big for a batch are added to ``big`` (their records are held back too)."""
        held = self.conflicts.open_record_ids() | {c.record_id for c in big}
        budget = min(self.push_pacer.size, self.push_pacer.ceiling)
        limit = self.push_batch
        while True:
            pending = self.store.pending_changes(limit=limit)
            batch: list[OutboxChange] = []
            size = 0
            for change in pending:
                if change.change_id in blocked:
                    held.add(change.record_id)
                if change.record_id in held:
                    continue
                weight = _wire_size(change)
                if weight > self.big_change:
                    big.append(change)
                    held.add(change.record_id)
                    continue
                if batch and size + weight > budget:
                    return batch
                batch.append(change)
                size += weight
                if len(batch) == self.push_batch:
                    return batch
            if len(pending) < limit:
                return batch
            limit *= 4

    def _push_all(self, report: SyncReport, notify: ProgressCallback,
                  big: list[OutboxChange]) -> None:
        blocked = self._blocked()
        total = self.store.pending_count()
        done = 0
        drops = 0
        if total:
            notify(Progress("push", 0, total))
        try:
            for _ in range(100_000):
                batch = self._pushable(blocked, big)
                if not batch:
                    break
                started = self.clock.monotonic()
                size = sum(_wire_size(c) for c in batch)
                try:
                    self._push_batch(batch, report, blocked)
                except Offline as exc:
                    drops += 1
                    self.push_pacer.failed()
                    if not exc.dropped or drops >= DROPS_PER_PHASE:
                        raise
                    continue
                drops = 0
                self.push_pacer.done(size, self.clock.monotonic() - started)
                done += len(batch)
                notify(Progress("push", min(done, total), max(total, done)))
        finally:
            self.store.set_sync_state(BLOCKED_KEY, blocked)
            report.blocked = blocked

    def _push_big(self, report: SyncReport, notify: ProgressCallback,
                  big: list[OutboxChange]) -> None:
        """Each large change on its own.  One that cannot get through is kept as stuck."""
        blocked = self._blocked()
        previous = self.stuck_changes()
        for change in big:
            size = _wire_size(change)
            label = self._label(change.record)
            what = f"Sending a large {label[0].lower() + label[1:]} ({size_text(size)})"
            notify(Progress("big", 0, size, f"{what}…"))

            def on_bytes(sent: int, total: int, what: str = what) -> None:
                notify(Progress("big", sent, total, f"{what}: {size_text(sent)} sent"))

            try:
                self._push_batch([change], report, blocked, on_bytes)
            except Offline as exc:
                attempts = previous[change.change_id].attempts + 1 \
                    if change.change_id in previous else 1
                report.stuck[change.change_id] = StuckChange(
                    change.change_id, change.record_id, label, size, attempts, str(exc))
                continue  # the next large change may be for a better moment, but try it
        self.store.set_sync_state(BLOCKED_KEY, blocked)
        report.blocked = blocked

    def _label(self, record: Record) -> str:
        """How a record is named to the practitioner: its type, child and date."""
        try:
            kind = RecordType(record.record_type).label
        except ValueError:
            kind = "Record"
        child = self.store.find(record.child_id) if record.child_id else None
        name = ""
        if child is not None:
            data = child.data or {}
            name = str(data.get("name") or " ".join(
                str(data.get(k) or "") for k in ("first_name", "last_name")).strip())
        when = record.created_at.strftime("%d %b %Y") if record.created_at else ""
        return " ".join(p for p in (kind, f"for {name}" if name else "",
                                    f"of {when}" if when else "") if p)

    def _send(self, batch: list[OutboxChange], on_bytes: Callable[[int, int], None] | None =
              None) -> list[tuple[OutboxChange, dict[str, Any]]]:
        wire = [_wire_change(c) for c in batch]
        try:
            results = self.transport.push(wire, on_bytes)
        except TooLarge as exc:
            # Over the service's size limit: send the batch in halves.
            if len(batch) == 1:
                return [(batch[0], {"change_id": batch[0].change_id, "status": "too_large",
                                    "reason": str(exc)})]
            half = len(batch) // 2
            return self._send(batch[:half], on_bytes) + self._send(batch[half:], on_bytes)
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
                    blocked: dict[str, str],
                    on_bytes: Callable[[int, int], None] | None = None) -> None:
        accepted: list[str] = []
        conflicting: dict[str, dict[str, Any]] = {}
        for change, result in self._send(batch, on_bytes):
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
                    local, remote, merge, self.store.clock.now())
                apply_clean_merge(self.store, conn, self.actor, local, remote, merged)
                report.merged += 1
            else:
                self.conflicts.add(conn, merge.clashes, local, remote, base,
                                   result.get("changed_by"), result.get("changed_at"))
                report.new_conflicts += 1

    # -- pull ----------------------------------------------------------------------------------

    def _pull_all(self, report: SyncReport, notify: ProgressCallback) -> None:
        cursor = int(self.store.get_sync_state(CURSOR_KEY, 0) or 0)
        drops = 0
        while True:
            started = self.clock.monotonic()
            try:
                page = self.transport.pull(cursor, self.pull_limit,
                                           max_bytes=self.pull_pacer.size, skip_own=True)
                own = self._missing_own(page.get("own") or [])
            except CursorAhead:
                if cursor == 0:
                    raise
                cursor = 0  # fetch everything again; versions we have are skipped
                continue
            except Offline as exc:
                drops += 1
                self.pull_pacer.failed()
                if not exc.dropped or drops >= DROPS_PER_PHASE:
                    raise
                continue
            drops = 0
            # Paced in the feed's own bytes (what max_bytes counts), whatever the compression.
            self.pull_pacer.done(self.transport.last_answer_size,
                                 self.clock.monotonic() - started)
            try:
                records = [Record.from_wire(w) for w in page["records"]] + own
            except (KeyError, TypeError, ValueError) as exc:
                raise NotTheService(f"a record could not be read: {exc}") from exc
            report.own_skipped += len(page.get("own") or []) - len(own)
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

    def _missing_own(self, own: list[dict[str, Any]]) -> list[Record]:
        """Own versions the service did not send back: fetch any this device does not hold
        (restored from an older copy, say); the rest are already here."""
        missing: list[Record] = []
        for entry in own:
            record_id, revision = str(entry["id"]), int(entry["revision"])
            base = self.store.sync_base(record_id)
            if base is not None and base.revision >= revision \
                    and self.store.find(record_id) is not None:
                continue
            try:
                missing.append(Record.from_wire(self.transport.record(record_id)))
            except Forbidden:
                continue  # no longer in the caseload; a withdrawn entry will follow
        return missing

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
                    self._push_all(SyncReport(), lambda _p: None, [])
                if rescue.unsynced_count(self.store):
                    rescue_path = rescue.write_bundle(self.store, message)
        finally:
            self.close()
        rescue.wipe(self.store, reason=message, rescue_path=rescue_path)
        return DeviceRevoked(message, wiped=True, rescue_path=rescue_path)



def blocked_reasons(store: Store) -> dict[str, str]:
    """Changes the service refused (by change id), with its reasons, kept in the outbox."""
    return dict(store.get_sync_state(BLOCKED_KEY, {}) or {})
