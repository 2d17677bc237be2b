"""SyncController: sync for a Qt app, on a worker thread, with signals for the status bar.
(The Qt side of :mod:`cse_desktop.sync`, which itself has no Qt.)

    controller = SyncController(session.store)
    controller.status_changed.connect(indicator.show_status)
    controller.revoked.connect(window.show_revoked_and_return_to_first_run)
    controller.start()          # a sync now, then every N minutes
    controller.sync_now()       # the "Sync now" button
    controller.cancel()         # "Stop sync": ends the round at once (work stays saved)
    controller.retry_stuck()    # "Try sending it again now": a round that sends the stuck
                                # large change(s) first

Signals (all delivered on the UI thread):
    status_changed(SyncStatus)  every change, for widgets that show everything
    offline()                   the service cannot be reached (work stays on this computer)
    syncing(done, total)        progress; total is 0 while unknown
    synced(datetime)            a round finished
    conflicts(int)              number of clashes waiting for review
    revoked(str)                the device was withdrawn and wiped; the store is closed
    error(str)                  anything else, in plain words
    enrolment_finished(bool, str)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from ..store import Store, StoreLocked
from ..sync.client import STUCK_KEY, Progress, StuckChange, SyncClient, SyncReport, actor_for
from ..sync.conflicts import Choice, ConflictQueue
from ..sync.enrolment import Enrolment, enrol
from ..sync.errors import (
    DeviceRevoked,
    NotEnrolled,
    Offline,
    SyncCancelled,
    SyncError,
    SyncTimedOut,
)
from ..sync.tls import Verify

SETTINGS_KEY = "sync_settings"
DEFAULT_INTERVAL_MINUTES = 5


class SyncState(StrEnum):
    NOT_ENROLLED = "not_enrolled"
    IDLE = "idle"
    SYNCING = "syncing"
    SYNCED = "synced"
    OFFLINE = "offline"
    PARTIAL = "partial"  # part of the round went through; the message says which part
    ERROR = "error"
    REVOKED = "revoked"


@dataclass(frozen=True)
class SyncStatus:
    state: SyncState
    message: str
    done: int = 0
    total: int = 0
    last_synced: datetime | None = None
    conflicts: int = 0
    not_accepted: int = 0
    stuck: tuple[str, ...] = ()  # large changes that could not get through, one line each

    @property
    def text(self) -> str:
        """One line for the status bar."""
        if self.state is SyncState.SYNCING:
            return (f"Syncing: {self.done} of {self.total}" if self.total
                    else "Syncing…")
        if self.state is SyncState.SYNCED and self.last_synced:
            text = f"Synced at {self.last_synced.astimezone():%H:%M}"
        elif self.state is SyncState.OFFLINE:
            text = "Offline: your work is saved on this computer"
        elif self.state is SyncState.PARTIAL:
            text = "Sync incomplete: " + self.message
        else:
            text = self.message
        if self.conflicts:
            text += f" · {self.conflicts} to review"
        return text


class _WorkerSignals(QObject):
    progress = Signal(object)
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, work: Callable[[Callable[[Progress], None]], Any]) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.signals = _WorkerSignals()
        self._work = work

    def run(self) -> None:
        try:
            result = self._work(self.signals.progress.emit)
        except BaseException as exc:
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


class SyncController(QObject):
    status_changed = Signal(object)
    offline = Signal()
    syncing = Signal(int, int)
    synced = Signal(object)
    conflicts = Signal(int)
    revoked = Signal(str)
    error = Signal(str)
    enrolment_finished = Signal(bool, str)

    def __init__(self, store: Store, *, verify: Verify = True,
                 pool: QThreadPool | None = None, parent: QObject | None = None,
                 client_options: dict[str, Any] | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._verify = verify
        self._pool = pool or QThreadPool.globalInstance()
        self._client_options = client_options or {}
        self._running = False
        self._current: SyncClient | None = None  # the round in progress, for cancel()
        self._jobs: set[_Job] = set()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.sync_now)
        enrolled = Enrolment.load(store) is not None
        last = store.get_sync_state("last_synced_at")
        self._status = SyncStatus(
            SyncState.IDLE if enrolled else SyncState.NOT_ENROLLED,
            "Not synced yet" if enrolled else "Not connected to the service",
            last_synced=datetime.fromisoformat(last) if last else None,
            conflicts=self._count_conflicts(), stuck=self._stuck_now())

    # -- state -----------------------------------------------------------------------------

    @property
    def status(self) -> SyncStatus:
        return self._status

    @property
    def is_running(self) -> bool:
        return self._running

    @property
    def is_enrolled(self) -> bool:
        return self.store.is_open and Enrolment.load(self.store) is not None

    def enrolment(self) -> Enrolment | None:
        return Enrolment.load(self.store) if self.store.is_open else None

    def _settings(self) -> dict[str, Any]:
        if not self.store.is_open:  # locked, or wiped after revocation
            return {}
        return dict(self.store.get_meta(SETTINGS_KEY, {}) or {})

    @property
    def service_address(self) -> str:
        enrolment = self.enrolment()
        return str(self._settings().get("address") or (enrolment.base_url if enrolment else ""))

    def set_service_address(self, address: str) -> None:
        if not self.store.is_open:
            return
        settings = self._settings()
        settings["address"] = address.strip()
        self.store.set_meta(SETTINGS_KEY, settings)

    @property
    def interval_minutes(self) -> int:
        return int(self._settings().get("interval_minutes", DEFAULT_INTERVAL_MINUTES))

    def set_interval_minutes(self, minutes: int) -> None:
        if not self.store.is_open:
            return
        settings = self._settings()
        settings["interval_minutes"] = max(0, int(minutes))
        self.store.set_meta(SETTINGS_KEY, settings)
        if self._timer.isActive():
            self.start(sync_immediately=False)

    def _stuck_now(self) -> tuple[str, ...]:
        """The stuck large changes as the last round left them (a quick local read)."""
        if not self.store.is_open:
            return ()
        saved = self.store.get_sync_state(STUCK_KEY, {}) or {}
        return tuple(StuckChange.from_dict(v).text for v in saved.values())

    def _count_conflicts(self) -> int:
        if not self.store.is_open:
            return 0
        return ConflictQueue(self.store, actor_for(self.store)).count()

    def _set(self, status: SyncStatus) -> None:
        self._status = status
        self.status_changed.emit(status)

    # -- running -----------------------------------------------------------------------------

    def start(self, *, sync_immediately: bool = True) -> None:
        """Sync every ``interval_minutes`` (0 = only when asked)."""
        self._timer.stop()
        if self.interval_minutes:
            self._timer.start(self.interval_minutes * 60_000)
        if sync_immediately:
            self.sync_now()

    def stop(self) -> None:
        self._timer.stop()

    def _client(self) -> SyncClient:
        enrolment = self.enrolment()
        if enrolment is None:
            raise NotEnrolled()
        address = self.service_address or enrolment.base_url
        return SyncClient(self.store, address, enrolment.token, self._verify,
                          ca_pem=enrolment.ca_certificate_pem, **self._client_options)

    def sync_now(self) -> bool:
        """Start a round unless one is running.  Returns True when one was started."""
        return self._start_round(stuck_first=False)

    def retry_stuck(self) -> bool:
        """"Try sending it again now": a round that sends the large change(s) that got stuck
        first, each on its own, then does the rest as usual (on the worker thread, like any
        round).  Returns True when one was started."""
        if not self._status.stuck:
            return False
        return self._start_round(stuck_first=True)

    def _start_round(self, *, stuck_first: bool) -> bool:
        if self._running or not self.store.is_open:
            return False
        if not self.is_enrolled:
            self._set(replace(self._status, state=SyncState.NOT_ENROLLED,
                              message="Not connected to the service"))
            return False
        self._running = True
        self._set(replace(self._status, state=SyncState.SYNCING, done=0, total=0,
                          message=("Sending the large change again…"
                                   if len(self._status.stuck) == 1
                                   else "Sending the large changes again…") if stuck_first
                          else "Syncing…"))

        def work(progress: Callable[[Progress], None]) -> SyncReport:
            client = self._client()
            self._current = client
            try:
                return client.sync_once(progress, stuck_first=stuck_first)
            finally:
                self._current = None
                client.close()

        self._launch(work, self._round_done, self._round_failed)
        return True

    def cancel(self) -> bool:
        """Stop the round in progress at once ("Stop sync").  Returns True if one was
        running.  Whatever the service already took stays taken; the rest waits."""
        client = self._current
        if not self._running or client is None:
            return False
        client.cancel()
        self._set(replace(self._status, message="Stopping…"))
        return True

    def _launch(self, work: Callable[[Callable[[Progress], None]], Any],
                done: Callable[[Any], None], failed: Callable[[Any], None]) -> None:
        job = _Job(work)
        job.signals.progress.connect(self._on_progress)
        job.signals.done.connect(done)
        job.signals.failed.connect(failed)
        job.signals.done.connect(lambda _r, j=job: self._jobs.discard(j))
        job.signals.failed.connect(lambda _e, j=job: self._jobs.discard(j))
        self._jobs.add(job)
        self._pool.start(job)

    @Slot(object)
    def _on_progress(self, progress: Progress) -> None:
        total = progress.total or 0
        self._set(replace(self._status, state=SyncState.SYNCING, message=progress.text,
                          done=progress.done, total=total))
        self.syncing.emit(progress.done, total)

    @Slot(object)
    def _round_done(self, report: SyncReport) -> None:
        self._running = False
        at = report.finished_at
        if at is not None:
            self.store.set_sync_state("last_synced_at", at.isoformat())
        notes = []
        if report.blocked:
            notes.append(f"{len(report.blocked)} change(s) were not accepted by the service "
                         "and are kept on this computer")
        if report.removed:
            notes.append(f"{len(report.removed)} child(ren) removed from your caseload by the "
                         "service")
        notes.extend(report.kept.values())
        stuck = tuple(change.text for change in report.stuck.values())
        notes.extend(stuck)
        if not report.complete:
            message = report.problem + ("" if not notes else " " + "; ".join(notes) + ".")
            self._set(SyncStatus(SyncState.PARTIAL, message,
                                 last_synced=self._status.last_synced,
                                 conflicts=report.open_conflicts,
                                 not_accepted=len(report.blocked), stuck=stuck))
            self.conflicts.emit(report.open_conflicts)
            return
        message = "Synced" + (": " + "; ".join(notes) if notes else "")
        self._set(SyncStatus(SyncState.SYNCED, message, last_synced=at,
                             conflicts=report.open_conflicts,
                             not_accepted=len(report.blocked), stuck=stuck))
        self.synced.emit(at)
        self.conflicts.emit(report.open_conflicts)

    @Slot(object)
    def _round_failed(self, exc: BaseException) -> None:
        self._running = False
        if isinstance(exc, DeviceRevoked):
            self._timer.stop()
            self._set(SyncStatus(SyncState.REVOKED, str(exc)))
            self.revoked.emit(str(exc))
        elif isinstance(exc, StoreLocked):
            # The app locked while syncing: whatever the service took is acknowledged again
            # (same change ids, same answers) at the next sync after unlocking.
            self._timer.stop()
            self._set(replace(self._status, state=SyncState.IDLE,
                              message="Sync paused while the records are locked"))
        elif isinstance(exc, SyncCancelled):
            self._set(replace(self._status, state=SyncState.IDLE, message=str(exc)))
        elif isinstance(exc, SyncTimedOut):
            self._set(replace(self._status, state=SyncState.PARTIAL, message=str(exc)))
        elif isinstance(exc, Offline):
            self._set(replace(self._status, state=SyncState.OFFLINE, message=str(exc)))
            self.offline.emit()
        else:
            message = str(exc) if isinstance(exc, SyncError) else (
                f"Sync stopped because of an unexpected problem ({type(exc).__name__}). "
                "Your work is saved on this computer.")
            self._set(replace(self._status, state=SyncState.ERROR, message=message))
            self.error.emit(message)

    # -- enrolment and conflicts --------------------------------------------------------------

    def enrol(self, address: str, code: str, device_name: str | None = None,
              ca_file: str | None = None) -> None:
        """Enrol on the worker thread; answers with enrolment_finished(ok, message)."""
        verify: Verify = ca_file or self._verify

        def work(_progress: Callable[[Progress], None]) -> Enrolment:
            return enrol(self.store, address, code, device_name=device_name, verify=verify)

        def done(enrolment: Enrolment) -> None:
            self.set_service_address(enrolment.base_url)
            name = enrolment.user.get("name", "")
            self._set(SyncStatus(SyncState.IDLE, "Connected; not synced yet",
                                 conflicts=self._count_conflicts()))
            self.enrolment_finished.emit(True, f"This computer is now connected to the "
                                               f"service as {name}.")

        def failed(exc: BaseException) -> None:
            message = str(exc) if isinstance(exc, SyncError) else (
                f"Connecting failed because of an unexpected problem ({type(exc).__name__}).")
            self.enrolment_finished.emit(False, message)

        self._launch(work, done, failed)

    def conflict_queue(self) -> ConflictQueue:
        return ConflictQueue(self.store, actor_for(self.store))

    def resolve(self, conflict_id: int, choices: dict[str, Choice]) -> None:
        """Apply the practitioner's choice, then send it."""
        self.conflict_queue().resolve(conflict_id, choices)
        count = self._count_conflicts()
        self._set(replace(self._status, conflicts=count))
        self.conflicts.emit(count)
        self.sync_now()
