"""Stopping a sync round: "Cancel" from the practitioner and an overall deadline.

A :class:`RoundControl` is shared by everything one round does.  Its connections register
their sockets here; cancelling (or the deadline passing) shuts them down at once, so a read
that is waiting on a stalled connection ends immediately instead of at its timeout.  The
deadline is measured on the clock seam (``Clock.monotonic()``), so tests can move time on.
"""

from __future__ import annotations

import contextlib
import socket
import threading

from ..clock import SYSTEM_CLOCK, Clock
from .errors import SyncCancelled, SyncTimedOut

DEFAULT_ROUND_SECONDS = 15 * 60.0
WATCH_INTERVAL = 0.1  # seconds of real time between deadline checks


class RoundControl:
    """Cancel flag, deadline and the live sockets of one sync round (thread-safe)."""

    def __init__(self, deadline_seconds: float | None = DEFAULT_ROUND_SECONDS, *,
                 clock: Clock = SYSTEM_CLOCK) -> None:
        self.clock = clock
        self.started = clock.monotonic()
        self.deadline_seconds = deadline_seconds
        self._deadline = None if deadline_seconds is None else self.started + deadline_seconds
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._stopped = threading.Event()
        self._reason: str | None = None  # "cancelled" or "deadline"
        self._watcher: threading.Thread | None = None
        self._closed = threading.Event()

    # -- state ----------------------------------------------------------------------------

    @property
    def reason(self) -> str | None:
        return self._reason

    @property
    def stopped(self) -> bool:
        self._check_deadline()
        return self._stopped.is_set()

    def remaining(self) -> float | None:
        """Seconds left before the deadline (None: no deadline)."""
        if self._deadline is None:
            return None
        return max(0.0, self._deadline - self.clock.monotonic())

    def elapsed(self) -> float:
        return self.clock.monotonic() - self.started

    def check(self) -> None:
        """Raise SyncCancelled or SyncTimedOut if the round must stop."""
        self._check_deadline()
        if self._stopped.is_set():
            raise self.error()

    def error(self) -> SyncCancelled | SyncTimedOut:
        if self._reason == "deadline":
            return SyncTimedOut(self.deadline_seconds or 0.0)
        return SyncCancelled()

    # -- stopping -------------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop the round now (from any thread)."""
        self._stop("cancelled")

    def _check_deadline(self) -> None:
        if self._deadline is not None and not self._stopped.is_set() \
                and self.clock.monotonic() >= self._deadline:
            self._stop("deadline")

    def _stop(self, reason: str) -> None:
        with self._lock:
            if self._stopped.is_set():
                return
            self._reason = reason
            self._stopped.set()
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def wait(self, seconds: float) -> None:
        """Sleep (between retries) unless the round is stopped meanwhile."""
        remaining = self.remaining()
        if remaining is not None:
            seconds = min(seconds, remaining)
        self._stopped.wait(max(0.0, seconds))
        self.check()

    # -- sockets and the watchdog ---------------------------------------------------------

    def register(self, sock: socket.socket) -> None:
        with self._lock:
            if self._stopped.is_set():
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            self._sockets.add(sock)

    def unregister(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)

    def start_watch(self) -> None:
        """A background thread that trips the deadline while a call is blocked."""
        if self._deadline is None or self._watcher is not None:
            return
        self._watcher = threading.Thread(target=self._watch, name="sync-deadline", daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        while not self._closed.wait(WATCH_INTERVAL):
            self._check_deadline()
            if self._stopped.is_set():
                return

    def close(self) -> None:
        self._closed.set()

