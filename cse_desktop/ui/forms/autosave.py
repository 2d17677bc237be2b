"""Saving a draft in the background, one save at a time, newest answers last.

``DraftSaver`` runs ``Casework.save_draft`` on its own single-thread pool, so saves never
overlap and never arrive out of order.  While one save is running, newer answers wait; when
it finishes, only the newest waiting answers are saved (older ones would be overwritten
anyway).  ``flush()`` waits for a running save and then saves what is left at once, on the
calling thread: use it before closing, locking or signing.
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from cse_desktop.forms import FieldError
from cse_desktop.records import Record
from cse_desktop.services.casework import Casework
from cse_desktop.services.errors import StaleRevision, StoreError, StoreLocked


def save_problem(exc: BaseException) -> str:
    """Why a save failed, in words the practitioner can act on."""
    if isinstance(exc, StaleRevision):
        return ("this draft was changed somewhere else (perhaps on another device). What you "
                "typed is still on screen.")
    if isinstance(exc, StoreLocked):
        return "the app is locked. Unlock it and your typing will be saved."
    if isinstance(exc, StoreError):
        return str(exc)
    return f"an unexpected problem ({type(exc).__name__}). What you typed is still on screen."


class _Outcome:
    """What one save produced, filled in on the worker thread."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.record: Record | None = None
        self.errors: list[FieldError] = []
        self.problem: BaseException | None = None
        self.collected = False
        self.finished = threading.Event()


class _Signals(QObject):
    done = Signal(object)


class _SaveJob(QRunnable):
    def __init__(self, casework: Casework, record_id: str, revision: int,
                 outcome: _Outcome, signals: _Signals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._casework = casework
        self._record_id = record_id
        self._revision = revision
        self._outcome = outcome
        self._signals = signals

    def run(self) -> None:
        try:
            record, errors = self._casework.save_draft(
                self._record_id, self._outcome.answers, expected_revision=self._revision
            )
            self._outcome.record, self._outcome.errors = record, errors
        except BaseException as exc:  # reported on screen, never raised in a thread
            self._outcome.problem = exc
        finally:
            self._outcome.finished.set()
            self._signals.done.emit(self._outcome)


class DraftSaver(QObject):
    """Background saves of one draft.  Signals come on the thread that made the saver."""

    saving = Signal()
    saved = Signal(object, list)  # (Record, errors still to fix before signing)
    failed = Signal(str)  # plain-English reason

    def __init__(self, casework: Casework, record: Record,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._casework = casework
        self.record_id = record.id
        self.revision = record.revision
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._signals = _Signals(self)
        self._signals.done.connect(self._collect)
        self._running: _Outcome | None = None
        self._waiting: dict[str, Any] | None = None
        self._last_saved: dict[str, Any] | None = None
        self.last_problem: str | None = None
        self.stale = False  # the last save failed because the record changed elsewhere
        self.enabled = True

    # -- public -------------------------------------------------------------------------------

    def is_busy(self) -> bool:
        return self._running is not None or self._waiting is not None

    def request(self, answers: dict[str, Any]) -> None:
        """Save these answers soon (after any save that is running)."""
        if not self.enabled:
            return
        if self._running is not None:
            self._waiting = answers
            return
        self._start(answers)

    def flush(self, answers: dict[str, Any] | None = None) -> bool:
        """Save now and wait.  True when everything typed is saved."""
        running = self._running
        if running is not None:
            running.finished.wait()
            self._collect(running)
        pending = answers if answers is not None else self._waiting
        self._waiting = None
        if self._running is not None:  # _collect started the next save: wait for it too
            outcome = self._running
            outcome.finished.wait()
            self._collect(outcome)
        if pending is None or not self.enabled:
            return self.last_problem is None
        if self._last_saved is not None and pending == self._last_saved \
                and self.last_problem is None:
            return True
        outcome = _Outcome(pending)
        self.saving.emit()
        try:
            record, errors = self._casework.save_draft(
                self.record_id, pending, expected_revision=self.revision
            )
            outcome.record, outcome.errors = record, errors
        except Exception as exc:
            outcome.problem = exc
        outcome.finished.set()
        self._finish(outcome)
        return outcome.problem is None

    def overwrite(self, answers: dict[str, Any]) -> bool:
        """After a "changed somewhere else" failure: save these answers over the newer
        version, because the practitioner chose to keep what they typed."""
        self.wait()
        current = self._casework.open_record(self.record_id)
        self.revision = current.revision
        self._last_saved = None
        return self.flush(answers)

    def wait(self) -> None:
        """Wait for a running save (for tests and shutdown)."""
        self._pool.waitForDone()

    # -- internals ----------------------------------------------------------------------------

    def _start(self, answers: dict[str, Any]) -> None:
        outcome = _Outcome(answers)
        self._running = outcome
        self.saving.emit()
        self._pool.start(_SaveJob(self._casework, self.record_id, self.revision,
                                  outcome, self._signals))

    def _collect(self, outcome: _Outcome) -> None:
        if outcome.collected:
            return  # flush() already handled it; this is the late signal
        if outcome is self._running:
            self._running = None
        self._finish(outcome)
        if self._waiting is not None and self.enabled:
            waiting, self._waiting = self._waiting, None
            self._start(waiting)

    def _finish(self, outcome: _Outcome) -> None:
        outcome.collected = True
        if outcome.problem is not None:
            self.stale = isinstance(outcome.problem, StaleRevision)
            self.last_problem = save_problem(outcome.problem)
            self.failed.emit(self.last_problem)
            return
        assert outcome.record is not None
        self.revision = outcome.record.revision
        self._last_saved = outcome.answers
        self.last_problem = None
        self.stale = False
        self.saved.emit(outcome.record, outcome.errors)
