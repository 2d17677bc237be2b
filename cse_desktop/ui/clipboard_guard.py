"""Text copied from the app does not stay on the clipboard (as in KeePassXC).

Whatever this app puts on the clipboard (a child's name, a note copied with Ctrl+C) is cleared
when the app locks, and a short time after it was copied.  Text another program put there
later is left alone: only what the app still owns is cleared.  Time comes from the clock seam,
on the monotonic clock and the wall clock (whichever passes first), like the idle lock.
"""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QClipboard, QGuiApplication

from ..clock import SYSTEM_CLOCK, Clock

CLEAR_AFTER_SECONDS = 30.0
CHECK_EVERY_MS = 1000


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest() if text else b""


class ClipboardGuard(QObject):
    """Clears the app's own clipboard text at lock and ``clear_after`` seconds after a copy."""

    def __init__(self, parent: QObject | None = None, *, clock: Clock = SYSTEM_CLOCK,
                 clear_after: float = CLEAR_AFTER_SECONDS,
                 check_every_ms: int = CHECK_EVERY_MS) -> None:
        super().__init__(parent)
        self.clock = clock
        self.clear_after = clear_after
        self._copied_at: tuple[float, float] | None = None  # (wall, monotonic)
        self._digest = b""
        self._timer = QTimer(self)
        self._timer.setInterval(check_every_ms)
        self._timer.timeout.connect(self.check)
        self._clipboard: QClipboard | None = QGuiApplication.clipboard()
        if self._clipboard is not None:
            self._clipboard.dataChanged.connect(self._changed)

    @property
    def holding(self) -> bool:
        """True while text the app copied is on the clipboard, waiting to be cleared."""
        return self._copied_at is not None

    def _ours(self, clipboard: QClipboard) -> bool:
        """Did this app put the current text there?  Where the platform cannot say (some
        have no notion of ownership), text that changed while the app had focus counts."""
        return clipboard.ownsClipboard() or (
            QGuiApplication.focusWindow() is not None
            or QGuiApplication.applicationState() == Qt.ApplicationState.ApplicationActive)

    def _changed(self) -> None:
        clipboard = self._clipboard
        if clipboard is None:
            return
        text = clipboard.text()
        if text and self._ours(clipboard):
            # Only a digest is kept, to recognise the text later: never the text itself.
            self._digest = _digest(text)
            self._copied_at = (self.clock.now().timestamp(), self.clock.monotonic())
            self._timer.start()
        elif _digest(text) != self._digest:
            self._forget()  # another program's text now: not ours to clear

    def seconds_since_copy(self) -> float:
        if self._copied_at is None:
            return 0.0
        wall, monotonic = self._copied_at
        return max(self.clock.now().timestamp() - wall, self.clock.monotonic() - monotonic)

    def check(self) -> None:
        if self._copied_at is not None and self.seconds_since_copy() >= self.clear_after:
            self.clear()

    def clear(self) -> None:
        """Clear the clipboard now if it still holds what the app copied (used at lock)."""
        clipboard = self._clipboard
        if clipboard is not None and self._copied_at is not None:
            if clipboard.ownsClipboard() or _digest(clipboard.text()) == self._digest:
                clipboard.clear(QClipboard.Mode.Clipboard)
            if clipboard.supportsSelection() and clipboard.ownsSelection():
                clipboard.clear(QClipboard.Mode.Selection)  # X11's middle-click copy
        self._forget()

    def _forget(self) -> None:
        self._copied_at = None
        self._digest = b""
        self._timer.stop()
