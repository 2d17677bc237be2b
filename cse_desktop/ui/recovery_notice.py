"""The warning shown after unlock when the configured recovery key is not the pinned one,
with the one way to accept a new key: the practitioner's passphrase."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QPushButton

from ..services.errors import ServiceError
from ..services.recovery import accept_configured_recovery_key
from ..services.session import Session


def show_recovery_notice(window: Any, session: Session) -> QMessageBox | None:
    """Non-blocking warning; "Accept the new key…" asks for the passphrase first."""
    mismatch = session.recovery_key_mismatch
    if mismatch is None:
        return None
    box = QMessageBox(QMessageBox.Icon.Warning, "Recovery key not changed", mismatch.message,
                      parent=window)
    accept = QPushButton("Accept the new key…", box)
    box.addButton(accept, QMessageBox.ButtonRole.ActionRole)
    box.accept_button = accept  # type: ignore[attr-defined]  # kept alive with the box
    box.addButton(QMessageBox.StandardButton.Close)

    def confirm() -> None:
        passphrase, ok = QInputDialog.getText(
            window, "Accept the new recovery key",
            "Only if your IT team confirmed the fingerprint "
            f"{mismatch.configured_fingerprint}, enter your passphrase:",
            QLineEdit.EchoMode.Password)
        if not ok or not passphrase:
            return

        def done(fingerprint: object) -> None:
            session.recovery_key_mismatch = None
            QMessageBox.information(window, "Recovery key changed",
                                    f"The new recovery key ({fingerprint}) is now in use.")

        def failed(exc: BaseException) -> None:
            text = str(exc) if isinstance(exc, ServiceError) else "The key was not changed."
            QMessageBox.warning(window, "Recovery key not changed", text)

        window.runner.run(accept_configured_recovery_key, session.store, session.actor,
                          passphrase, on_result=done, on_error=failed)

    accept.clicked.connect(confirm)
    box.open()
    return box
