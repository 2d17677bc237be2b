"""Locking: idle time on the wall and monotonic clocks, Ctrl+L, what is hidden and dropped."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from cse_desktop.clock import FixedClock

from .conftest import add_child, unlock_through_ui, wait_for_caseload


def open_on_child(qtbot, make_window, existing_store, monkeypatch, idle_minutes=5.0):
    clock = FixedClock("2030-03-14T09:00:00+00:00")
    session = existing_store()
    child_id = add_child(session, "Dana", "Quill", local_reference="REF-9")
    session.lock()
    window = make_window(idle_minutes=idle_minutes, clock=clock)
    unlock_through_ui(qtbot, window)
    wait_for_caseload(qtbot, window)
    window.open_child(child_id)
    qtbot.waitUntil(lambda: window.child.title.text() == "Dana Quill", timeout=5_000)
    return window, clock, child_id


def assert_locked(window) -> None:
    assert not window.is_unlocked
    assert window.pages.currentWidget() is window.unlock_page
    assert window.caseload.model.rowCount() == 0
    assert window.child.title.text() == ""
    assert window.child.chronology.topLevelItemCount() == 0
    assert window.counts.text() == ""
    assert not window.toolbar.isVisible()
    assert not window.idle.watching  # nothing to time out while locked


def test_idle_time_on_the_wall_clock_locks_and_drops_the_key(qtbot, make_window,
                                                             existing_store, monkeypatch):
    window, clock, _child = open_on_child(qtbot, make_window, existing_store, monkeypatch)
    session = window.session
    clock.advance(seconds=4 * 60)
    window.idle.check()
    assert window.is_unlocked  # four minutes: not yet
    clock.set(clock.now() + timedelta(minutes=2))  # asleep: only the wall clock moved on
    window.idle.check()
    assert_locked(window)
    assert not session.store.is_open  # the key is gone from the process
    assert "5 minutes without activity" in window.unlock_page.message.text()


def test_activity_resets_the_idle_time(qtbot, make_window, existing_store, monkeypatch):
    window, clock, _child = open_on_child(qtbot, make_window, existing_store, monkeypatch)
    clock.advance(seconds=4 * 60)
    qtbot.keyClick(window.child.chronology, Qt.Key.Key_Down)
    clock.advance(seconds=4 * 60)
    window.idle.check()
    assert window.is_unlocked


def test_unlock_returns_to_the_same_child(qtbot, make_window, existing_store, monkeypatch):
    window, clock, child_id = open_on_child(qtbot, make_window, existing_store, monkeypatch)
    clock.advance(seconds=10 * 60)
    window.idle.check()
    assert_locked(window)
    unlock_through_ui(qtbot, window)
    assert window.idle.watching
    assert window.workspace.currentWidget() is window.child
    qtbot.waitUntil(lambda: window.child.title.text() == "Dana Quill", timeout=5_000)
    assert window.child.child_id == child_id


def test_ctrl_l_locks_at_once(qtbot, make_window, existing_store, monkeypatch):
    window, _clock, _child = open_on_child(qtbot, make_window, existing_store, monkeypatch)
    qtbot.keyClick(window.child.chronology, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert_locked(window)


def test_suspend_locks(qtbot, make_window, existing_store, monkeypatch):
    window, _clock, _child = open_on_child(qtbot, make_window, existing_store, monkeypatch)
    window.idle._state_changed(Qt.ApplicationState.ApplicationSuspended)
    assert_locked(window)
    assert "went to sleep" in window.unlock_page.message.text()


def test_idle_lock_saves_the_open_draft_and_unlock_brings_it_back(qtbot, make_window,
                                                                   existing_store, monkeypatch):
    from cse_desktop.services.casework import Casework

    from .flows import hours_ago, type_into

    window, clock, child_id = open_on_child(qtbot, make_window, existing_store, monkeypatch)
    work = Casework(window.session)
    episode = work.record_episode(child_id, {
        "missing_or_absent": "missing", "reported_by": "school",
        "went_missing_at": hours_ago(30), "returned_at": hours_ago(6)})
    form = window.start_interview(episode.id)
    rhi_id = form.record.id
    form.setGeometry(40, 60, 600, 420)  # inside the 800 x 600 offscreen screen
    geometry = form.geometry()
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow, timeout=5_000)
    # Typed a moment ago: not yet autosaved when the lock comes.
    type_into(qtbot, form.view.editors["where_stayed"], "Under the canal bridge")
    assert "where_stayed" not in work.store.get(rhi_id).data
    old_session = window.session

    clock.advance(seconds=6 * 60)
    window.idle.check()
    assert_locked(window)
    assert window.forms.windows == {}
    assert not form.isVisible()
    assert not old_session.store.is_open

    unlock_through_ui(qtbot, window)
    reopened = window.forms.windows[rhi_id]
    assert reopened is not form and reopened.isVisible()
    assert reopened.view.editors["where_stayed"].value() == "Under the canal bridge"
    assert reopened.view.position()["field"] == "where_stayed"
    assert reopened.geometry() == geometry  # the same place on the screen
    assert window.child.child_id == child_id


def test_quick_note_being_typed_is_kept_as_a_draft_through_a_lock(qtbot, make_window,
                                                                   existing_store, monkeypatch):
    from cse_desktop.records import RecordType
    from cse_desktop.ui.forms import QuickNoteDialog

    from .flows import click_option, type_into, while_dialog_open

    window, clock, child_id = open_on_child(qtbot, make_window, existing_store, monkeypatch)

    def type_then_walk_away(dialog: QuickNoteDialog) -> None:
        click_option(qtbot, dialog.form.editors["contact_type"], "Phone call")
        type_into(qtbot, dialog.form.editors["summary"], "Rang to check she got home")
        clock.advance(seconds=6 * 60)
        window.idle.check()

    while_dialog_open(lambda: window.new_note(child_id), type_then_walk_away, QuickNoteDialog)
    assert_locked(window)
    unlock_through_ui(qtbot, window)
    forms = list(window.forms.windows.values())
    assert len(forms) == 1
    assert forms[0].record.record_type is RecordType.CASE_NOTE
    assert forms[0].view.editors["summary"].value() == "Rang to check she got home"


def test_the_os_saying_it_sleeps_or_locks_the_screen_locks(qtbot, make_window, existing_store,
                                                          monkeypatch):
    window, _clock, _child = open_on_child(qtbot, make_window, existing_store, monkeypatch)
    window.idle.os_signals.on_signal(False)  # coming back: nothing to do
    assert window.is_unlocked
    window.idle.os_signals.on_signal(True)  # PrepareForSleep(true) / ActiveChanged(true)
    assert_locked(window)


def test_chosen_idle_time_is_saved_and_used_after_restart(qtbot, make_window, existing_store,
                                                          monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    window, clock, _child = open_on_child(qtbot, make_window, existing_store, monkeypatch)
    monkeypatch.setattr(QInputDialog, "getInt", staticmethod(lambda *args, **kw: (2, True)))
    window.idle_action.trigger()
    assert window.idle.idle_seconds == 120
    clock.advance(seconds=2 * 60 + 1)
    window.idle.check()
    assert_locked(window)
    assert "2 minutes without activity" in window.unlock_page.message.text()
    # A restart (a new window on the same records) uses the saved setting after unlocking.
    again = make_window()
    unlock_through_ui(qtbot, again)
    assert again.idle.idle_seconds == 120
    # The command line still wins when given.
    forced = make_window(idle_minutes=10, idle_from_command_line=True)
    unlock_through_ui(qtbot, forced)
    assert forced.idle.idle_seconds == 600


def _editor(dialog, field_id):  # type: ignore[no-untyped-def]
    return next(part.editors[field_id] for part in dialog.view.parts
                if field_id in part.editors)


def test_half_filled_add_child_dialog_comes_back_after_unlock(qtbot, make_window,
                                                             existing_store, monkeypatch):
    from cse_desktop.ui.record_dialogs import ChildDialog

    from .flows import type_into, while_dialog_open

    window, clock, _child = open_on_child(qtbot, make_window, existing_store, monkeypatch)

    def type_then_walk_away(dialog: ChildDialog) -> None:
        type_into(qtbot, _editor(dialog, "first_name"), "Ffion")
        type_into(qtbot, _editor(dialog, "last_name"), "Testlake")
        clock.advance(seconds=6 * 60)
        window.idle.check()

    while_dialog_open(window.add_child, type_then_walk_away, ChildDialog)
    assert_locked(window)
    unlock_through_ui(qtbot, window)
    dialog = window.interrupted_dialog
    assert isinstance(dialog, ChildDialog) and dialog.isVisible()
    assert _editor(dialog, "first_name").value() == "Ffion"
    assert _editor(dialog, "last_name").value() == "Testlake"
    # It comes back once: locking and unlocking again without it open shows nothing new.
    QDialog.reject(dialog)
    assert window.interrupted_dialog is None
    window.lock()
    unlock_through_ui(qtbot, window)
    assert window.interrupted_dialog is None


def test_an_untouched_dialog_is_not_brought_back(qtbot, make_window, existing_store,
                                                 monkeypatch):
    from cse_desktop.ui.record_dialogs import ChildDialog

    from .flows import while_dialog_open

    window, clock, _child = open_on_child(qtbot, make_window, existing_store, monkeypatch)

    def walk_away(dialog: ChildDialog) -> None:
        clock.advance(seconds=6 * 60)
        window.idle.check()

    while_dialog_open(window.add_child, walk_away, ChildDialog)
    unlock_through_ui(qtbot, window)
    assert window.interrupted_dialog is None


def test_setting_the_clock_back_does_not_delay_the_lock(qtbot, make_window, existing_store,
                                                       monkeypatch):
    window, clock, _child = open_on_child(qtbot, make_window, existing_store, monkeypatch)
    clock.set(clock.now() - timedelta(hours=3))  # someone sets the computer's clock back
    clock.advance(seconds=4 * 60)
    window.idle.check()
    assert window.is_unlocked
    clock.advance(seconds=61)  # five minutes of real time, though the wall clock says -3 h
    window.idle.check()
    assert_locked(window)


def test_setting_the_clock_forward_locks_too(qtbot, make_window, existing_store, monkeypatch):
    """The wall clock still counts (sleep and hibernation move only the wall clock)."""
    window, clock, _child = open_on_child(qtbot, make_window, existing_store, monkeypatch)
    clock.set(clock.now() + timedelta(hours=8))  # overnight in a bag
    window.idle.check()
    assert_locked(window)


def test_text_copied_from_a_record_is_cleared_at_lock(qtbot, make_window, existing_store,
                                                      monkeypatch):
    from PySide6.QtWidgets import QApplication

    window, _clock, _child = open_on_child(qtbot, make_window, existing_store, monkeypatch)
    QApplication.clipboard().setText("Dana Quill")  # as Ctrl+C on the child's name does
    qtbot.waitUntil(lambda: window.clipboard_guard.holding, timeout=2_000)
    window.lock()
    assert QApplication.clipboard().text() == ""
    assert not window.clipboard_guard.holding


def test_copied_text_is_cleared_after_a_short_time(qtbot):
    from PySide6.QtWidgets import QApplication

    from cse_desktop.ui.clipboard_guard import CLEAR_AFTER_SECONDS, ClipboardGuard

    clock = FixedClock("2030-03-14T09:00:00+00:00")
    guard = ClipboardGuard(clock=clock)
    clipboard = QApplication.clipboard()
    clipboard.setText("Disclosed meeting Marek at the chip shop")
    qtbot.waitUntil(lambda: guard.holding, timeout=2_000)
    clock.advance(seconds=CLEAR_AFTER_SECONDS - 5)
    guard.check()
    assert clipboard.text() == "Disclosed meeting Marek at the chip shop"
    clock.advance(seconds=5)
    guard.check()
    assert clipboard.text() == ""
    # Setting the wall clock back does not keep it there longer.
    clipboard.setText("Another copied line")
    qtbot.waitUntil(lambda: guard.holding, timeout=2_000)
    clock.set(clock.now() - timedelta(days=1))
    clock.advance(seconds=CLEAR_AFTER_SECONDS)
    guard.check()
    assert clipboard.text() == ""

