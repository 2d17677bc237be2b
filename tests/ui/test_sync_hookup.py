"""Sync in the main window: the status shows while unlocked, goes with the lock, and a
withdrawn computer starts again from the first-run screen."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from .conftest import unlock_through_ui, wait_for_caseload
from .flows import while_dialog_open

pytest.importorskip("cse_desktop.ui.sync_widgets")


def test_sync_status_shows_only_while_unlocked(qtbot, make_window, existing_store):
    existing_store().lock()
    window = make_window()
    assert window.sync.indicator is None
    unlock_through_ui(qtbot, window)
    wait_for_caseload(qtbot, window)
    indicator = window.sync.indicator
    assert indicator is not None and indicator.isVisibleTo(window)
    assert window.sync_action.isEnabled()
    window.lock()
    assert window.sync.indicator is None
    assert window.sync.controller is None
    assert not window.sync_action.isEnabled()


def test_a_withdrawn_computer_goes_back_to_first_run(qtbot, make_window, existing_store):
    existing_store().lock()
    window = make_window()
    unlock_through_ui(qtbot, window)
    wait_for_caseload(qtbot, window)
    session = window.session

    def read_message(box):
        assert isinstance(box, QMessageBox)
        assert "withdrawn" in box.text()
        box.accept()

    while_dialog_open(lambda: window.sync.revoked.emit("This computer was withdrawn."),
                      read_message, QMessageBox)
    assert not window.is_unlocked
    assert not session.store.is_open
    assert window.pages.currentWidget() is window.first_run_page
    assert window.caseload.model.rowCount() == 0
