"""Sync in the main window: one controller per unlocked session, its status in the status
bar, the conflict review and the settings.  Everything sync-specific lives in
:mod:`cse_desktop.sync.controller` and :mod:`cse_desktop.ui.sync_widgets`; this only wires
them to the window's lock and unlock."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMainWindow, QVBoxLayout

from ..services.session import Session
from .optional import available, optional_module


def _modules() -> tuple[Any, Any] | None:
    controller = optional_module("cse_desktop.sync.controller")
    widgets = optional_module("cse_desktop.ui.sync_widgets")
    return (controller, widgets) if controller and widgets else None


class SyncHookup(QObject):
    synced = Signal()  # new records may have arrived: refresh what is shown
    revoked = Signal(str)  # the service withdrew this computer; the records are wiped

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.controller: Any = None
        self.indicator: Any = None

    @staticmethod
    def available() -> bool:
        """Whether sync is installed (asked without importing the sync stack)."""
        return (available("cse_desktop.sync.controller", ("httpx",))
                and available("cse_desktop.ui.sync_widgets"))

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
