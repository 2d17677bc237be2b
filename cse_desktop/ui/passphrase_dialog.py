"""Change the passphrase: the records are not re-encrypted, only the key is rewrapped."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ..services import session as sessions
from ..services.errors import ServiceError
from .announce import show_message
from .passphrase_field import PassphraseField


def _secret(name: str) -> PassphraseField:
    return PassphraseField(name)


class ChangePassphraseDialog(QDialog):
    def __init__(self, session: sessions.Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Change passphrase")
        self.old = _secret("Current passphrase")
        self.new = _secret("New passphrase")
        self.again = _secret("New passphrase again")
        self.hint = QLabel("")
        self.hint.setWordWrap(True)
        self.message = QLabel("")
        self.message.setProperty("role", "alert")
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Current passphrase", self.old)
        form.addRow("&New passphrase", self.new)
        form.addRow("New passphrase a&gain", self.again)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Change passphrase")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.new.textChanged.connect(self._hint)

    def _hint(self, text: str) -> None:
        self.hint.setText(sessions.passphrase_feedback(text)[1] if text else "")

    def submit(self) -> None:
        if self.new.text() != self.again.text():
            show_message(self.message, "The two new passphrases are not the same.", urgent=True)
            return
        try:
            sessions.change_passphrase(self.session, self.old.text(), self.new.text())
        except ServiceError as exc:
            show_message(self.message, str(exc), urgent=True)
            return
        self.accept()
