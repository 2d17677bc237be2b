"""The sign dialog's and the change-passphrase dialog's passphrase fields are safe ones."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLineEdit

from cse_desktop.records import Record
from cse_desktop.services.casework import Casework
from cse_desktop.services.session import Session
from cse_desktop.ui.forms.sign_dialog import SignDialog
from cse_desktop.ui.passphrase_dialog import ChangePassphraseDialog
from cse_desktop.ui.passphrase_field import PassphraseField, has_safe_accessibility


def _secret_fields(dialog: Any) -> list[QLineEdit]:
    return [e for e in dialog.findChildren(QLineEdit)
            if e.echoMode() != QLineEdit.EchoMode.Normal or isinstance(e, PassphraseField)]


def test_sign_and_change_passphrase_fields_give_no_text_away(
        qtbot: Any, session: Session, casework: Casework, rhi: Record) -> None:
    sign = SignDialog(casework, casework.open_record(rhi.id))
    change = ChangePassphraseDialog(session)
    for dialog, count in ((sign, 1), (change, 3)):
        qtbot.addWidget(dialog)
        fields = _secret_fields(dialog)
        assert len(fields) == count
        assert all(isinstance(f, PassphraseField) and has_safe_accessibility(f)
                   for f in fields)
    # A sign problem is shown with its own words as the label's name.
    sign.show_message("That passphrase is not right.")
    assert sign.message.text() == "That passphrase is not right."
    assert sign.message.accessibleName() == ""
