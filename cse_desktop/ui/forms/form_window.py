"""A window around one form: Save now, Sign…, Print…, Close, and their shortcuts.

    window = FormWindow(casework, record)
    window.print_requested.connect(pdf_export)   # record id
    window.show()

Closing the window saves what was typed first.  The main window calls ``flush()`` before
locking and keeps ``position()`` to reopen the form where the practitioner was.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cse_desktop.records import SIGNABLE_TYPES, Record
from cse_desktop.services.casework import Casework

from .form_view import DEFAULT_AUTOSAVE_MS, FormView
from .references import child_name


def window_title(casework: Casework, record: Record) -> str:
    """"Return home interview — Zoë Nowak (draft)"."""
    title = casework.definition_of(record).title
    state = "signed" if record.is_signed else "draft"
    return f"{title} — {child_name(casework, record)} ({state})"


class FormWindow(QWidget):
    """A form with its buttons.  A top-level window, or embedded when given a parent."""

    print_requested = Signal(str)  # record id: the PDF part prints it
    signed = Signal(object)  # Record
    saved = Signal(object)  # Record, after each save
    addendum_added = Signal(object)  # Record
    closed = Signal(str)  # record id, after the window closed (answers saved)

    def __init__(self, casework: Casework, record: Record, *,
                 autosave_ms: int = DEFAULT_AUTOSAVE_MS,
                 now: Callable[[], datetime] | None = None,
                 confirm_close: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if parent is None:
            self.setWindowFlag(Qt.WindowType.Window, True)
        self.casework = casework
        self.confirm_close = confirm_close
        self.setObjectName("formWindow")
        self.resize(1240, 720)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 14pt; font-weight: 700;")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)

        self.view = FormView(casework, record, autosave_ms=autosave_ms, now=now)
        self.view.signed.connect(self._on_signed)
        self.view.saved.connect(self.saved)
        self.view.addendum_added.connect(self.addendum_added)
        layout.addWidget(self.view, 1)

        buttons = QHBoxLayout()
        self.save_button = QPushButton("Save now")
        self.save_button.setToolTip("Your typing is also saved by itself every few seconds. "
                                    "(Ctrl+S)")
        self.sign_button = QPushButton("Sign…")
        self.sign_button.setToolTip("Check the form, then sign it with your signature and "
                                    "passphrase. (Ctrl+Enter)")
        self.print_button = QPushButton("Print…")
        self.print_button.setToolTip("Make a signed PDF of this record. (Ctrl+P)")
        self.close_button = QPushButton("Close")
        self.save_button.clicked.connect(self.save_now)
        self.sign_button.clicked.connect(self.sign)
        self.print_button.clicked.connect(lambda: self.print_requested.emit(self.record.id))
        self.close_button.clicked.connect(self.close)
        self.hint = QLabel()
        buttons.addWidget(self.hint)
        buttons.addWidget(self.view.status_bar, 1)  # "Saved 14:05:12" beside the buttons
        buttons.addSpacing(12)
        for button in (self.save_button, self.sign_button, self.print_button,
                       self.close_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        layout.addLayout(buttons)

        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save_now)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.sign)
        QShortcut(QKeySequence("Ctrl+P"), self,
                  activated=lambda: self.print_requested.emit(self.record.id))
        self._refresh()

    @property
    def record(self) -> Record:
        return self.view.record

    def _refresh(self) -> None:
        title = window_title(self.casework, self.record)
        self.setWindowTitle(title)
        self.heading.setText(title)
        signed = self.record.is_signed
        if signed:
            self.hint.setText("Ctrl+P print")
            self.hint.setAccessibleName("Keyboard shortcut: Control P to print")
        else:
            self.hint.setText("Ctrl+S save  ·  Ctrl+Enter sign  ·  Ctrl+P print")
            self.hint.setAccessibleName("Keyboard shortcuts: Control S to save, Control Enter "
                                        "to sign, Control P to print")
        self.save_button.setVisible(not signed)
        self.sign_button.setVisible(not signed and self.record.record_type in SIGNABLE_TYPES)
        chain = self.view.tab_chain()
        following = [b for b in (self.save_button, self.sign_button, self.print_button,
                                 self.close_button)]
        for first, second in zip([chain[-1], *following], following, strict=False):
            QWidget.setTabOrder(first, second)

    # -- actions ------------------------------------------------------------------------------

    def save_now(self) -> bool:
        return self.view.flush()

    def sign(self) -> Record | None:
        if self.record.is_signed or self.record.record_type not in SIGNABLE_TYPES:
            return None
        return self.view.request_sign()

    def _on_signed(self, record: Record) -> None:
        self._refresh()
        self.signed.emit(record)

    def flush(self) -> bool:
        """Save what was typed now (before locking)."""
        return self.view.flush()

    def position(self) -> dict[str, Any]:
        return self.view.position()

    def lock_snapshot(self) -> dict[str, Any]:
        """Save, stop and describe this form so ``reopen`` can bring it back after unlock."""
        return self.view.lock_snapshot()

    @classmethod
    def reopen(cls, casework: Casework, snapshot: dict[str, Any],
               **options: Any) -> FormWindow:
        """The window again after unlocking, where the practitioner was, with any answers
        that could not be saved before the lock put back."""
        window = cls(casework, casework.open_record(snapshot["record_id"]), **options)
        if snapshot.get("unsaved"):
            window.view.set_answers(snapshot["unsaved"])
        window.view.restore_position(snapshot.get("position") or {})
        return window

    def restore_position(self, position: dict[str, Any]) -> None:
        self.view.restore_position(position)

    # -- closing ------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.view.flush() and self.confirm_close and not self._may_close_unsaved():
            event.ignore()
            return
        self.view.shutdown()
        event.accept()
        self.closed.emit(self.record.id)

    def _may_close_unsaved(self) -> bool:
        """Ask what to do with typing that could not be saved.  True to close."""
        buttons = QMessageBox.StandardButton
        stale = self.view.keep_mine_button.isVisible()
        box = QMessageBox(QMessageBox.Icon.Warning, "Your changes could not be saved",
                          f"{self.view.status_text()}\n\nIf you close this form now, what you "
                          "typed since the last save will be lost.", parent=self)
        keep = (box.addButton("Keep what I typed and close", QMessageBox.ButtonRole.AcceptRole)
                if stale else None)
        lose = box.addButton("Close without saving", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(buttons.Cancel)
        box.setDefaultButton(buttons.Cancel)
        box.exec()
        if keep is not None and box.clickedButton() is keep:
            return self.view.keep_what_i_typed()
        return box.clickedButton() is lose
