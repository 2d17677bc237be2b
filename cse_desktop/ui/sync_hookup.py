"""Sync in the main window: one controller per unlocked session, its status in the status
bar, the conflict review and the settings.  Everything sync-specific lives in
:mod:`cse_desktop.ui.sync_controller` and :mod:`cse_desktop.ui.sync_widgets`; this only wires
them to the window's lock and unlock."""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMainWindow, QVBoxLayout

from ..services.session import Session
from .optional import available, optional_module
from .workers import TaskRunner

_MODULE_NAMES = ("cse_desktop.ui.sync_controller", "cse_desktop.ui.sync_widgets")


def _modules() -> tuple[Any, Any] | None:
    controller = optional_module(_MODULE_NAMES[0])
    widgets = optional_module(_MODULE_NAMES[1])
    return (controller, widgets) if controller and widgets else None


class SyncHookup(QObject):
    synced = Signal()  # new records may have arrived: refresh what is shown
    revoked = Signal(str)  # the service withdrew this computer; the records are wiped

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.controller: Any = None
        self.indicator: Any = None
        self.available()  # asked now, before anything imports the sync stack in the background

    @staticmethod
    def available() -> bool:
        """Whether sync is installed (asked without importing the sync stack)."""
        return (available("cse_desktop.ui.sync_controller", ("httpx",))
                and available("cse_desktop.ui.sync_widgets"))

    def start_soon(self, session: Session, runner: TaskRunner) -> None:
        """Start sync for ``session`` without importing the sync stack on the UI thread: if it
        is not loaded yet, it is imported on ``runner``'s pool and sync starts when it is (as
        long as the same session is still open)."""
        if all(name in sys.modules for name in _MODULE_NAMES):
            self.start(session)
            return

        def loaded(_modules: Any) -> None:
            if getattr(self._window, "session", None) is session and session.store.is_open:
                self.start(session)

        runner.run(_modules, on_result=loaded, on_error=lambda _exc: None, key="sync-import")

    def start(self, session: Session) -> None:
        modules = _modules()
        if modules is None:
            return
        controller_module, widgets = modules
        self.controller = controller_module.SyncController(session.store, parent=self)
        self.indicator = widgets.SyncIndicator(self.controller)
        self.indicator.review_requested.connect(self.review_conflicts)
        self._window.statusBar().addPermanentWidget(self.indicator)
        self.controller.synced.connect(lambda _at: self.synced.emit())
        self.controller.revoked.connect(self.revoked)
        self.controller.start()

    def stop(self) -> None:
        """Before the key is dropped: no more rounds, and nothing about them on screen."""
        if self.controller is not None:
            self.controller.stop()
            self.controller.deleteLater()
            self.controller = None
        if self.indicator is not None:
            self._window.statusBar().removeWidget(self.indicator)
            self.indicator.deleteLater()
            self.indicator = None

    def review_conflicts(self) -> None:
        modules = _modules()
        if modules is not None and self.controller is not None:
            modules[1].ConflictReviewDialog(self.controller, self._window).exec()
            self.synced.emit()

    def open_settings(self) -> None:
        modules = _modules()
        if modules is None or self.controller is None:
            return
        dialog = QDialog(self._window)
        dialog.setWindowTitle("Sync with the central service")
        layout = QVBoxLayout(dialog)
        layout.addWidget(modules[1].SyncSettingsPage(self.controller))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        layout.addWidget(buttons)
        dialog.exec()
