"""The form windows open for records: open one per record, flush them all, close and reopen
them around a lock.

The windows themselves (``FormWindow``) come from :mod:`cse_desktop.ui.forms`; this module
only keeps track of them.  When those widgets are not installed, ``available()`` is False
and the app shows the related menu items disabled.
"""

from __future__ import annotations

import importlib
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from ..services.casework import Casework
from ..services.session import Session
from .locking import OpenForm


def forms_module() -> Any | None:
    """``cse_desktop.ui.forms`` when it is installed and complete, else None."""
    try:
        module = importlib.import_module("cse_desktop.ui.forms")
    except ImportError:
        return None
    needed = ("FormWindow", "FormView")
    return module if all(hasattr(module, name) for name in needed) else None


class FormWindows(QObject):
    """Every open form window, one per record."""

    changed = Signal(str)  # a record was saved, signed or amended: views should refresh

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent
        self._session: Session | None = None
        self._windows: dict[str, Any] = {}

    @staticmethod
    def available() -> bool:
        return forms_module() is not None

    def set_session(self, session: Session | None) -> None:
        self._session = session

    @property
    def windows(self) -> dict[str, Any]:
        return dict(self._windows)

    def open(self, record_id: str, position: object = None) -> Any | None:
        """Show the record's window (raising it if already open)."""
        module = forms_module()
        if module is None or self._session is None:
            return None
        window = self._windows.get(record_id)
        if window is None:
            work = Casework(self._session)
            window = module.FormWindow(work, work.open_record(record_id), parent=self._parent)
            self._windows[record_id] = window
            self._connect(record_id, window)
            if position is not None:
                window.restore_position(position)
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def _connect(self, record_id: str, window: Any) -> None:
        for name in ("saved", "signed", "record_changed"):
            signal = getattr(window, name, None)
            if signal is not None:
                signal.connect(lambda *_args, rid=record_id: self.changed.emit(rid))
        closed = getattr(window, "closed", None)
        if closed is not None:
            closed.connect(lambda *_args, rid=record_id: self._forget(rid))
        window.destroyed.connect(lambda *_args, rid=record_id: self._windows.pop(rid, None))

    def _forget(self, record_id: str) -> None:
        if self._windows.pop(record_id, None) is not None:
            self.changed.emit(record_id)

    def flush_all(self) -> None:
        """Save every window's unsaved input now (as a draft, encrypted)."""
        for window in list(self._windows.values()):
            window.flush()

    def close_all(self) -> list[OpenForm]:
        """Save, note where each window was, and close them all (for a lock)."""
        self.flush_all()
        kept = []
        for record_id, window in list(self._windows.items()):
            if window.isVisible():
                kept.append(OpenForm(record_id, window.position()))
            window.close()
            window.deleteLater()
        self._windows.clear()
        return kept

    def reopen(self, forms: list[OpenForm]) -> None:
        for form in forms:
            self.open(form.record_id, form.position)
