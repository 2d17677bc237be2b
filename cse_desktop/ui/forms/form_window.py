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
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShortcut
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
from cse_desktop.services.errors import ServiceError, StoreError

from ..sizing import fit_to_screen
from ..theme import demo_banner
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
    discarded = Signal(str)  # record id, after an unsigned draft was thrown away

    def __init__(self, casework: Casework, record: Record, *,
                 autosave_ms: int = DEFAULT_AUTOSAVE_MS,
                 now: Callable[[], datetime] | None = None,
                 confirm_close: bool = True,
                 new_draft: bool = False,
                 parent: QWidget | None = None) -> None:
        """``new_draft``: the draft was started for this window, so closing it untouched
        removes it again instead of leaving an empty draft behind."""
        super().__init__(parent)
        if parent is None:
            self.setWindowFlag(Qt.WindowType.Window, True)
        self.casework = casework
        self.confirm_close = confirm_close
        self.new_draft = new_draft
        self._discarded = False
        self.setObjectName("formWindow")
        fit_to_screen(self, 1240, 720)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        self.demo_banner: QLabel | None = None
        if getattr(casework.session, "is_demo", False):  # every window says DEMO
            self.demo_banner = demo_banner()
            layout.addWidget(self.demo_banner)
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
        self.discard_button = QPushButton("Discard draft…")
        self.discard_button.setToolTip("Throw this unsigned draft away. Only the person who "
                                       "started it can do this.")
        self.discard_button.clicked.connect(self.discard)
        self.close_button = QPushButton("Close")
        self.close_button.setToolTip("Save and close. (Esc)")
        self.save_button.clicked.connect(self.save_now)
        self.sign_button.clicked.connect(self.sign)
        self.print_button.clicked.connect(lambda: self.print_requested.emit(self.record.id))
        self.close_button.clicked.connect(self.close)
        self.hint = QLabel()
        buttons.addWidget(self.hint)
        buttons.addWidget(self.view.status_bar, 1)  # "Saved 14:05:12" beside the buttons
        buttons.addSpacing(12)
        buttons.addWidget(self.discard_button)
        buttons.addSpacing(12)
        for button in (self.save_button, self.sign_button, self.print_button,
                       self.close_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        self.discard_button.setAutoDefault(False)
        layout.addLayout(buttons)

        QShortcut(QKeySequence("Ctrl+S"), self).activated.connect(self.save_now)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.sign)
        QShortcut(QKeySequence("Ctrl+P"), self).activated.connect(
            lambda: self.print_requested.emit(self.record.id))
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
        self.discard_button.setVisible(self.casework.may_discard(self.record))
        self.sign_button.setVisible(not signed and self.record.record_type in SIGNABLE_TYPES)
        chain = self.view.tab_chain()
        following = [self.discard_button, self.save_button, self.sign_button,
                     self.print_button, self.close_button]
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

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc saves and closes a form window (not a form embedded in another window)."""
        if event.key() == Qt.Key.Key_Escape and self.isWindow():
            event.accept()
            self.close()
            return
        super().keyPressEvent(event)

    def discard(self) -> bool:
        """Ask, then throw this unsigned draft away and close.  True if it was discarded."""
        if not self.casework.may_discard(self.record):
            return False
        what = self.casework.definition_of(self.record).title.lower()
        box = QMessageBox(QMessageBox.Icon.Question, "Discard this draft?",
                          f"Discard this {what} draft? Everything typed in it is removed from "
                          "the chronology; the removal is recorded in the audit log and "
                          "shared at the next sync. This cannot be undone.", parent=self)
        box.setObjectName("discardQuestion")
        discard = box.addButton("Discard draft", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is not discard:
            return False
        discarded = self._discard_now(quietly=False)
        self.close()
        return discarded

    def _discard_now(self, *, quietly: bool) -> bool:
        """Discard the draft (the caller closes the window)."""
        self.view.flush()  # a save still running must not bring the draft back
        self.view.shutdown()
        record_id = self.record.id
        try:
            self.casework.discard_draft(record_id)
        except (ServiceError, StoreError) as exc:
            if not quietly:
                QMessageBox.warning(self, "The draft was not discarded",
                                    f"{exc}\n\nYour answers are saved as a draft.")
            self._discarded = True  # saved above; close without asking again
            return False
        self._discarded = True
        self.discarded.emit(record_id)
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._discarded:
            event.accept()
            self.closed.emit(self.record.id)
            return
        if (self.new_draft and not self.view.was_edited()
                and self.casework.may_discard(self.record)):
            # Opened by "Start…" and closed without typing anything: leave nothing behind.
            self._discard_now(quietly=True)
            event.accept()
            self.closed.emit(self.record.id)
            return
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
