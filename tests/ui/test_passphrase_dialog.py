"""Changing the passphrase from the File menu."""

from __future__ import annotations

from PySide6.QtCore import Qt

from cse_desktop.services.session import unlock
from cse_desktop.ui.passphrase_dialog import ChangePassphraseDialog

from .conftest import PASSPHRASE, unlock_through_ui, wait_for_caseload
from .flows import while_dialog_open

NEW = "a brand new passphrase for spring"


def test_change_passphrase(qtbot, make_window, existing_store, data_dir):
    existing_store().lock()
    window = make_window()
    unlock_through_ui(qtbot, window)
    wait_for_caseload(qtbot, window)

    def change(dialog):
        assert isinstance(dialog, ChangePassphraseDialog)
        qtbot.keyClicks(dialog.old, "not the old one")
        qtbot.keyClicks(dialog.new, NEW)
        qtbot.keyClicks(dialog.again, NEW)
        dialog.submit()
        assert dialog.message.text() == "Your current passphrase is not right."
        dialog.old.clear()
        qtbot.keyClicks(dialog.old, PASSPHRASE)
        qtbot.keyClick(dialog.again, Qt.Key.Key_Return)

    while_dialog_open(window.passphrase_action.trigger, change)
    window.lock()
    unlock(data_dir, NEW).lock()  # the new one opens the records
    unlock_through_ui(qtbot, window, NEW)
