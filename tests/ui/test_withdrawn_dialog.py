"""Child > Children taken off your caseload…: refused changes saved, then the child goes."""

from __future__ import annotations

from PySide6.QtCore import Qt

from .test_locking import open_on_child


def test_a_withdrawn_child_with_refused_changes_can_be_rescued_and_let_go(
        qtbot, make_window, existing_store, monkeypatch, data_dir):
    from cse_desktop.sync import rescue
    from cse_desktop.sync.client import BLOCKED_KEY, WITHDRAWN_KEY

    from .conftest import PASSPHRASE

    window, _clock, child_id = open_on_child(qtbot, make_window, existing_store, monkeypatch)
    store = window.session.store
    [change] = store.pending_changes()
    store.set_sync_state(WITHDRAWN_KEY, [child_id])  # as a sync leaves it after a refusal
    store.set_sync_state(BLOCKED_KEY, {change.change_id: "Not in your caseload."})
    window.withdrawn_action.trigger()
    dialog = window.withdrawn_dialog
    assert dialog.list.count() == 1
    assert "Dana Quill" in dialog.list.item(0).text()
    assert "Not in your caseload." in dialog.list.item(0).text()
    qtbot.mouseClick(dialog.release_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Saved to" in dialog.message.text(), timeout=10_000)
    path = dialog.message.text().split("Saved to ", 1)[1].split(". Give", 1)[0]
    assert rescue.open_bundle(path, passphrase=PASSPHRASE).changes
    assert dialog.list.count() == 0
    assert store.find(child_id) is None
