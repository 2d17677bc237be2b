"""The screen-lock signal really arrives over D-Bus (a private session bus, when available)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent("""
    import os
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QCoreApplication, QTimer
    from PySide6.QtDBus import QDBusConnection, QDBusMessage
    from cse_desktop.ui.locking import OsLockSignals

    app = QCoreApplication([])
    bus = QDBusConnection.sessionBus()
    assert bus.registerService("org.freedesktop.ScreenSaver")  # play the screen saver
    signals = OsLockSignals()
    heard = []
    signals.going_away.connect(lambda: (heard.append(True), app.quit()))

    def screen_locks():
        message = QDBusMessage.createSignal("/org/freedesktop/ScreenSaver",
                                            "org.freedesktop.ScreenSaver", "ActiveChanged")
        message.setArguments([True])
        bus.send(message)

    QTimer.singleShot(100, screen_locks)
    QTimer.singleShot(5000, app.quit)
    app.exec()
    print("heard" if heard else "nothing")
""")


@pytest.mark.skipif(shutil.which("dbus-run-session") is None, reason="needs dbus-run-session")
def test_screen_saver_signal_reaches_the_lock():
    done = subprocess.run(["dbus-run-session", "--", sys.executable, "-c", SCRIPT],
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.strip().endswith("heard"), done.stdout + done.stderr
