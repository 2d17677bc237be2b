"""Helper process for the memory test: the real window, unlocked by typing the passphrase,
used, then locked.  Prints "locked" and waits to be dumped (gcore) and killed."""

from __future__ import annotations

import gc
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from cse_desktop.crypto.hardening import harden_process
from cse_desktop.crypto.keyfile import KdfParams
from cse_desktop.crypto.memory import wipe_bytes, wipe_str
from cse_desktop.ui.app_window import AppOptions, AppWindow


def wait_for(app: QApplication, condition, seconds: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        app.processEvents()
        time.sleep(0.01)


def main() -> None:
    data_dir = Path(sys.argv[1])
    # Read without Python's buffered stdin (which would keep its own copy); the test's own
    # copies are overwritten below, so what the dump shows is what the app leaves behind.
    raw = bytearray(os.read(0, 4096))
    passphrase = raw.rstrip(b"\n").decode("utf-8")
    wipe_bytes(raw)
    if os.geteuid() == 0:  # as cse-desktop does at start; only root can still dump it
        harden_process()
    app = QApplication(sys.argv[:1])
    window = AppWindow(AppOptions(data_dir=data_dir, kdf=KdfParams.fast_for_tests()))
    window.show()
    page = window.unlock_page
    QTest.keyClicks(page.passphrase, passphrase)
    wipe_str(passphrase)
    del passphrase
    QTest.keyClick(page.passphrase, Qt.Key.Key_Return)
    wait_for(app, lambda: window.is_unlocked)
    wait_for(app, lambda: not window.runner.busy)
    window.lock()
    wait_for(app, lambda: not window.runner.busy)
    for _ in range(20):
        app.processEvents()
    gc.collect()
    print("locked", flush=True)
    time.sleep(600)


if __name__ == "__main__":
    main()
