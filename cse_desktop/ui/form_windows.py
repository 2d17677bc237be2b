"""The form windows open for records: open one per record, flush them all, close and reopen
them around a lock.

The windows themselves (``FormWindow``) come from :mod:`cse_desktop.ui.forms`; this module
only keeps track of them.  When those widgets are not installed, ``available()`` is False
and the app shows the related menu items disabled.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QObject, Signal
from PySide6.QtWidgets import QWidget

from ..records import Record
from ..services.casework import Casework
from ..services.session import Session
from .locking import OpenForm
from .optional import optional_module


def forms_module() -> Any | None:
    """``cse_desktop.ui.forms`` when it is installed and complete, else None."""
    module = optional_module("cse_desktop.ui.forms")
    needed = ("FormWindow", "FormView")
    return module if module and all(hasattr(module, name) for name in needed) else None


class FormWindows(QObject):
    """Every open form window, one per record."""

    changed = Signal(str)  # a record was signed, amended or closed: views should refresh
    print_requested = Signal(str, object)  # record id, the window asking

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

    def open(self, record_id: str, position: object = None,
             record: Record | None = None, *, new_draft: bool = False) -> Any | None:
        """Show the record's window (raising it if already open).  ``record`` saves reading
        it again when the caller has just opened it."""
        module = forms_module()
        if module is None or self._session is None:
            return None
        window = self._windows.get(record_id)
        if window is None:
            work = Casework(self._session)
            # No parent: a FormWindow with a parent is embedded rather than a window.
            window = module.FormWindow(work, record or work.open_record(record_id),
                                       new_draft=new_draft)
            self._windows[record_id] = window
            self._connect(record_id, window)
            if isinstance(position, dict):
                geometry = position.get("geometry")
                if isinstance(geometry, QByteArray):
                    window.restoreGeometry(geometry)
                window.restore_position(position.get("view") or {})
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def _connect(self, record_id: str, window: Any) -> None:
        # Not on every autosave: only when something a list shows has changed.
        for signal in (window.signed, window.addendum_added):
            signal.connect(lambda *_args, rid=record_id: self.changed.emit(rid))
        window.closed.connect(lambda *_args, rid=record_id: self._forget(rid))
        window.print_requested.connect(lambda rid, w=window: self.print_requested.emit(rid, w))

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
        windows, self._windows = self._windows, {}
        for record_id, window in windows.items():
            if window.isVisible():
                kept.append(OpenForm(record_id, {"view": window.position(),
                                                 "geometry": window.saveGeometry()}))
            window.confirm_close = False  # already flushed; a lock must not wait for a question
            window.new_draft = False  # it comes back after unlocking: keep even an empty draft
            window.close()
            window.deleteLater()
        return kept

    def reopen(self, forms: list[OpenForm]) -> None:
        for form in forms:
            self.open(form.record_id, form.position)
