"""Locking when the practitioner walks away: idle time on two clocks, and suspend.

Idle time is measured on both clocks of the clock seam (``cse_desktop.clock``), and the app
locks when *either* passes the limit:

- the wall clock counts the hours a laptop spends asleep or hibernated, so a laptop opened the
  next morning is locked straight away;
- the monotonic clock cannot be set back, so someone setting the computer's clock back does not
  delay the lock by as much as they set it back.

An application-wide event filter notes the time of the last key press, click, scroll or touch;
a timer checks every few seconds whether the limit has passed.

Where the operating system says the computer is going to sleep or the screen is being
locked, we lock at once: Qt's "application suspended" state where the platform reports it,
and on Linux the login manager's PrepareForSleep and the screen saver's ActiveChanged signals
(D-Bus), when those services exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from PySide6.QtCore import SLOT, QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication

from ..clock import SYSTEM_CLOCK, Clock

DEFAULT_IDLE_MINUTES = 5.0
CHECK_EVERY_MS = 3000

_ACTIVITY = frozenset({
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonDblClick,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate,
    QEvent.Type.TabletPress,
    QEvent.Type.TabletMove,
})


# (bus, service, path, interface, signal) pairs that mean "the computer is going away".
_OS_LOCK_SIGNALS = (
    ("system", "org.freedesktop.login1", "/org/freedesktop/login1",
     "org.freedesktop.login1.Manager", "PrepareForSleep"),
    ("session", "org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
     "org.freedesktop.ScreenSaver", "ActiveChanged"),
    ("session", "org.gnome.ScreenSaver", "/org/gnome/ScreenSaver",
     "org.gnome.ScreenSaver", "ActiveChanged"),
)


class OsLockSignals(QObject):
    """Emits ``going_away`` when Linux says it is about to sleep or lock the screen.
    Does nothing where there is no D-Bus (Windows, macOS, minimal installs)."""

    going_away = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        try:
            from PySide6.QtDBus import QDBusConnection
        except ImportError:
            return
        buses = {"system": QDBusConnection.systemBus, "session": QDBusConnection.sessionBus}
        for bus_name, service, path, interface, name in _OS_LOCK_SIGNALS:
            bus = buses[bus_name]()
            if bus.isConnected():
                # PySide6's stubs lack this overload (receiver and SLOT string); Qt has it.
                bus.connect(service, path, interface, name, self,  # type: ignore[call-overload]
                            SLOT("on_signal(bool)"))

    @Slot(bool)
    def on_signal(self, starting: bool) -> None:
        if starting:  # True: going to sleep / screen saver on; False: back again
            self.going_away.emit()


class IdleWatcher(QObject):
    """Emits ``idle`` once the wall clock or the monotonic clock shows no activity for
    ``idle_seconds``, and ``suspended`` when the OS reports the app suspended.  Watches only
    while started."""

    idle = Signal()
    suspended = Signal()

    def __init__(self, idle_seconds: float, parent: QObject | None = None,
                 check_every_ms: int = CHECK_EVERY_MS, clock: Clock = SYSTEM_CLOCK) -> None:
        super().__init__(parent)
        self.idle_seconds = idle_seconds
        self.clock = clock
        self._last_wall, self._last_monotonic = self._readings()
        self._watching = False
        self._timer = QTimer(self)
        self._timer.setInterval(check_every_ms)
        self._timer.timeout.connect(self.check)
        app = cast(QGuiApplication | None, QGuiApplication.instance())  # a GUI app, not a core one
        if app is not None:
            app.installEventFilter(self)
            app.applicationStateChanged.connect(self._state_changed)
        self.os_signals = OsLockSignals(self)
        self.os_signals.going_away.connect(self._going_away)

    @property
    def watching(self) -> bool:
        return self._watching

    def start(self) -> None:
        self.touch()
        self._watching = True
        self._timer.start()

    def stop(self) -> None:
        self._watching = False
        self._timer.stop()

    def _readings(self) -> tuple[float, float]:
        return self.clock.now().timestamp(), self.clock.monotonic()

    def touch(self) -> None:
        self._last_wall, self._last_monotonic = self._readings()

    def seconds_idle(self) -> float:
        """The longer of the two idle times: sleep counts, setting the clock back does not."""
        wall, monotonic = self._readings()
        return max(wall - self._last_wall, monotonic - self._last_monotonic)

    def check(self) -> None:
        if self._watching and self.seconds_idle() >= self.idle_seconds:
            self.stop()
            self.idle.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self.touch()
        return False

    def _going_away(self) -> None:
        if self._watching:
            self.stop()
            self.suspended.emit()

    def _state_changed(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationSuspended:
            self._going_away()
        elif state == Qt.ApplicationState.ApplicationActive:
            # Woken up: a long sleep shows up as idle time at once, not a few seconds later.
            self.check()


@dataclass(frozen=True)
class OpenForm:
    """A form window that was open when the app locked, and where it was on screen."""

    record_id: str
    position: object = None  # whatever FormWindow.position() gives; handed back to restore


@dataclass
class WorkspaceSnapshot:
    """Where the practitioner was, kept while locked: record ids and window positions only,
    never names or answers (unsaved input is saved, encrypted, before the lock)."""

    child_id: str | None = None
    forms: list[OpenForm] = field(default_factory=list)
