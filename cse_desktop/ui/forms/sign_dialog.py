"""Signing a record: the ticked declaration, drawn signature and the passphrase again.

The passphrase check takes about half a second, so signing runs off the UI thread while the
dialog shows that it is busy.  The declaration is a tick box that must be ticked before
anything is signed.  A wrong passphrase is said plainly; the dialog stays open and
nothing (form answers or drawing) is lost.

    dialog = SignDialog(casework, record, answers, parent=window)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        signed = dialog.signed_record
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cse_desktop.crypto.keyfile import TooManyAttempts, WrongPassphrase
from cse_desktop.forms import FieldError
from cse_desktop.records import Record, RecordType
from cse_desktop.services.casework import Casework
from cse_desktop.services.errors import ServiceError, StoreError, ValidationFailed

from ..announce import show_message
from ..passphrase_field import PassphraseField
from ..sizing import fit_text, grow_with_text
from .signature_pad import SignaturePad
from .style import ERROR_TEXT

DECLARATION = "I confirm this record is accurate and complete."
NOT_DRAWN = ("Draw your signature in the box, or tick 'I cannot draw a signature' to sign "
             "with your name and passphrase only.")
NO_PASSPHRASE = "Enter your passphrase to sign."
NOT_DECLARED = ("Tick the box to confirm this record is accurate and complete, then press "
                "Sign.")


class _SignSignals(QObject):
    done = Signal(object, object)  # (Record | None, exception | None)


class _SignJob(QRunnable):
    def __init__(self, work: Any, signals: _SignSignals) -> None:
        super().__init__()
        self._work = work
        self._signals = signals

    def run(self) -> None:
        try:
            record = self._work()
        except BaseException as exc:  # reported in the dialog
            self._signals.done.emit(None, exc)
            return
        self._signals.done.emit(record, None)


def sign_problem(exc: BaseException) -> str:
    if isinstance(exc, ValidationFailed):
        return ("Some answers need attention before this can be signed. Close this window to "
                "see them on the form.")
    if isinstance(exc, ServiceError | StoreError | TooManyAttempts | WrongPassphrase):
        return str(exc)
    return f"Something went wrong while signing ({type(exc).__name__}). Nothing was lost."


class SignDialog(QDialog):
    """Who signs, the declaration tick box, the signature pad and the passphrase."""

    def __init__(self, casework: Casework, record: Record,
                 answers: dict[str, Any] | None = None, *,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.casework = casework
        self.record = record
        self.answers = dict(answers if answers is not None else record.data)
        self.signed_record: Record | None = None
        self.validation_errors: list[FieldError] = []
        self._busy = False
        self._passphrase_problem = ""  # the last signing failure, cleared on typing again
        self._signals = _SignSignals(self)
        self._signals.done.connect(self._on_done)
        what = record.record_type.label.lower()
        self.setWindowTitle(f"Sign this {what}")
        self.setModal(True)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        actor = casework.actor
        who = QLabel(f"Signing as {actor.name} ({actor.role.label})")
        who.setStyleSheet("font-weight: 700; font-size: 11pt;")
        who.setWordWrap(True)
        layout.addWidget(who)
        self.declaration = QCheckBox(DECLARATION)
        self.declaration.setAccessibleName(DECLARATION)
        self.declaration.setAccessibleDescription("Required: tick this before you sign.")
        self.declaration.setStyleSheet("font-weight: 600;")
        self.declaration.toggled.connect(self._on_declaration)
        layout.addWidget(self.declaration)
        after = QLabel(f"Once signed, this {what} cannot be changed. Corrections are added "
                       "as addenda.")
        after.setWordWrap(True)
        layout.addWidget(after)

        self.pad = SignaturePad()
        self.pad.changed.connect(self._on_pad_changed)
        layout.addWidget(self.pad, 1)

        prompt = QLabel("Enter your passphrase to sign")
        prompt.setStyleSheet("font-weight: 600;")
        layout.addWidget(prompt)
        self.passphrase = PassphraseField("Your passphrase")
        self.passphrase.textChanged.connect(self._on_passphrase_edited)
        self.passphrase.returnPressed.connect(self.sign)
        prompt.setBuddy(self.passphrase)
        layout.addWidget(self.passphrase)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {ERROR_TEXT}; font-weight: 700;")
        self.message.hide()
        layout.addWidget(self.message)

        self.buttons = QDialogButtonBox()
        self.sign_button = QPushButton("Sign")
        self.sign_button.setDefault(True)
        self.sign_button.setAutoDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAutoDefault(False)
        self.buttons.addButton(self.sign_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.sign_button.clicked.connect(self.sign)
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(self.buttons)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.sign)

        QWidget.setTabOrder(self.declaration, self.pad.clear_button)
        QWidget.setTabOrder(self.pad.clear_button, self.pad.no_drawing)
        QWidget.setTabOrder(self.pad.no_drawing, self.passphrase)
        QWidget.setTabOrder(self.passphrase, self.sign_button)
        QWidget.setTabOrder(self.sign_button, self.cancel_button)
        self.declaration.setFocus()
        self._update_buttons()
        # The dialog grows with a message instead of squashing the signature pad.
        grow_with_text(self, minimum_width=520)

    # -- state --------------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        self.sign_button.setEnabled(not self._busy)
        self.cancel_button.setEnabled(not self._busy)

    def _on_declaration(self, ticked: bool) -> None:
        if ticked and self.message.text() == NOT_DECLARED:
            self.show_message("")

    def _on_passphrase_edited(self, text: str) -> None:
        """Typing again means an earlier passphrase message no longer applies."""
        if text and self.message.text() in (NO_PASSPHRASE, self._passphrase_problem):
            self.show_message("")
        self._update_buttons()

    def _on_pad_changed(self) -> None:
        if self.pad.is_ready() and self.message.text() == NOT_DRAWN:
            self.show_message("")
        self._update_buttons()

    def is_declared(self) -> bool:
        return self.declaration.isChecked()

    def show_message(self, text: str) -> None:
        show_message(self.message, text, urgent=True)
        self.message.setVisible(bool(text))
        fit_text(self)

    def is_busy(self) -> bool:
        return self._busy

    # -- signing ------------------------------------------------------------------------------

    def sign(self) -> None:
        if self._busy:
            return
        if not self.is_declared():
            self.show_message(NOT_DECLARED)
            self.declaration.setFocus()
            return
        if not self.pad.is_ready():
            self.show_message(NOT_DRAWN)
            return
        passphrase = self.passphrase.text()
        if not passphrase:
            self.show_message(NO_PASSPHRASE)
            self.passphrase.setFocus()
            return
        image = self.pad.image()
        record_id = self.record.id
        casework = self.casework
        answers = dict(self.answers)
        if self.record.record_type is RecordType.ADDENDUM:
            def work() -> Record:
                return casework.sign_addendum(record_id, passphrase, image)
        else:
            def work() -> Record:
                return casework.sign(record_id, answers, passphrase, image)
        self._busy = True
        self.show_message("")
        self.sign_button.setText("Signing…")
        self.setCursor(Qt.CursorShape.BusyCursor)
        self._update_buttons()
        QThreadPool.globalInstance().start(_SignJob(work, self._signals))

    def _on_done(self, record: Record | None, problem: BaseException | None) -> None:
        self._busy = False
        self.unsetCursor()
        self.sign_button.setText("Sign")
        self._update_buttons()
        if record is not None:
            self.signed_record = record
            self.passphrase.clear()
            self.accept()
            return
        assert problem is not None
        if isinstance(problem, ValidationFailed):
            self.validation_errors = list(problem.errors)
        text = sign_problem(problem)
        if not isinstance(problem, ValidationFailed):
            self._passphrase_problem = text  # stale once a new passphrase is typed
        self.passphrase.clear()
        self.show_message(text)
        self.passphrase.setFocus()

    def reject(self) -> None:
        if self._busy:
            return  # let the signing finish; it is quick
        self.passphrase.clear()
        super().reject()

    def closeEvent(self, event: Any) -> None:
        if self._busy:
            event.ignore()
            return
        super().closeEvent(event)
