"""Keyboard-only use of the main flows, and a name for every control a screen reader meets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from cse_desktop.records import RecordType
from cse_desktop.ui.a11y import unnamed_controls
from cse_desktop.ui.forms import QuickNoteDialog
from cse_desktop.ui.record_dialogs import ChildDialog

from .conftest import PASSPHRASE, add_child, unlock_through_ui, wait_for_caseload
from .flows import hours_ago, visible_dialog, while_dialog_open

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def focused():
    return QApplication.focusWidget()


def activate(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)


def seeded_window(qtbot, make_window, existing_store):
    from cse_desktop.services.casework import Casework

    session = existing_store()
    child_id = add_child(session, "Lena", "Okoro", local_reference="REF-5")
    add_child(session, "Rhys", "Pike")
    Casework(session).record_episode(child_id, {
        "missing_or_absent": "missing", "reported_by": "police",
        "went_missing_at": hours_ago(20), "returned_at": hours_ago(5)})
    session.lock()
    window = make_window()
    activate(qtbot, window)
    unlock_through_ui(qtbot, window)
    wait_for_caseload(qtbot, window)
    return window, child_id


def test_first_run_by_keyboard_alone(qtbot, make_window):
    window = make_window()
    activate(qtbot, window)
    page = window.first_run_page
    qtbot.waitUntil(lambda: focused() is page.name, timeout=5_000)
    qtbot.keyClicks(page.name, "Sam Keyboard")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is page.role
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is page.organisation  # may stay empty
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is page.passphrase
    qtbot.keyClicks(focused(), PASSPHRASE)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is page.confirm
    qtbot.keyClicks(focused(), PASSPHRASE)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.is_unlocked, timeout=10_000)


def test_main_flows_by_shortcuts(qtbot, make_window, existing_store):
    window, child_id = seeded_window(qtbot, make_window, existing_store)
    view = window.caseload

    # Find a child and open them: Ctrl+F, type, Enter, Enter.
    qtbot.keyClick(view.table, Qt.Key.Key_F, CTRL)
    assert focused() is view.search
    qtbot.keyClicks(view.search, "okoro")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=5_000)
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: focused() is view.table, timeout=5_000)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert window.workspace.currentWidget() is window.child
    assert window.child.child_id == child_id
    qtbot.waitUntil(lambda: window.child.overview is not None and not window.runner.busy,
                    timeout=5_000)

    # Tab reaches the episode's "Start return home interview" button; Space presses it.
    start = next(b for b in window.child.episodes_box.findChildren(type(window.child.back_button))
                 if b.text() == "Start return home interview")
    qtbot.waitUntil(start.isVisible, timeout=5_000)  # new rows are shown on the next loop turn
    window.child.back_button.setFocus()
    visited = []
    for _ in range(30):
        if focused() is start:
            break
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
        widget = focused()
        visited.append(getattr(widget, "text", lambda: "")() or widget.accessibleName()
                       or type(widget).__name__)
    assert focused() is start, " > ".join(visited)
    qtbot.keyClick(start, Qt.Key.Key_Space)
    forms = list(window.forms.windows.values())
    assert [f.record.record_type for f in forms] == [RecordType.RETURN_INTERVIEW]
    forms[0].close()

    # Ctrl+N: the quick note, with the cursor in it; Escape closes it (nothing typed).
    def check_note(dialog):
        assert isinstance(dialog, QuickNoteDialog)
        qtbot.waitUntil(dialog.isActiveWindow, timeout=5_000)
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    activate(qtbot, window)
    while_dialog_open(lambda: qtbot.keyClick(window.child.chronology, Qt.Key.Key_N, CTRL),
                      check_note)
    assert visible_dialog() is None

    # Ctrl+Shift+K: a new checklist window.
    activate(qtbot, window)
    qtbot.keyClick(window.child.chronology, Qt.Key.Key_K, CTRL_SHIFT)
    kinds = [f.record.record_type for f in window.forms.windows.values()]
    assert kinds == [RecordType.WARNING_SIGNS]
    for form in list(window.forms.windows.values()):
        form.close()

    # Ctrl+Home: back to the caseload; Ctrl+Shift+A: add a child, cursor in the first name.
    activate(qtbot, window)
    qtbot.keyClick(window.child.chronology, Qt.Key.Key_Home, CTRL)
    assert window.workspace.currentWidget() is view

    def check_add(dialog):
        assert isinstance(dialog, ChildDialog)
        qtbot.waitUntil(dialog.isActiveWindow, timeout=5_000)
        assert dialog.view.parts[0].editors["first_name"].contains_focus(focused())
        qtbot.keyClick(focused(), Qt.Key.Key_Escape)

    while_dialog_open(lambda: qtbot.keyClick(view.table, Qt.Key.Key_A, CTRL_SHIFT), check_add)

    # Ctrl+L locks; the passphrase and Enter unlock.
    activate(qtbot, window)
    qtbot.keyClick(view.table, Qt.Key.Key_L, CTRL)
    assert not window.is_unlocked
    assert focused() is window.unlock_page.passphrase
    qtbot.keyClicks(window.unlock_page.passphrase, PASSPHRASE)
    qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.is_unlocked, timeout=10_000)


def test_caseload_tab_order_follows_the_screen(qtbot, make_window, existing_store):
    window, _child = seeded_window(qtbot, make_window, existing_store)
    view = window.caseload
    view.search.setFocus()
    order = [view.search]
    for _ in range(6):
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
        order.append(focused())
    assert order == [view.search, view.risk, view.rhi_only, view.drafts_only, view.table,
                     view.add_button, view.episode_button]


def test_every_control_has_an_accessible_name(qtbot, make_window, existing_store):
    window, child_id = seeded_window(qtbot, make_window, existing_store)
    assert unnamed_controls(window) == []
    window.open_child(child_id)
    qtbot.waitUntil(lambda: window.child.overview is not None, timeout=5_000)
    assert unnamed_controls(window) == []
    window.lock()
    assert unnamed_controls(window) == []


def test_first_run_controls_have_accessible_names(qtbot, make_window):
    window = make_window()
    assert unnamed_controls(window) == []


def test_lock_and_quick_note_shortcuts_work_inside_a_form_window(qtbot, make_window,
                                                                  existing_store):
    window, child_id = seeded_window(qtbot, make_window, existing_store)
    other = window.caseload.model.rows[1].child_id
    window.caseload.select_child(other)  # the caseload points at someone else
    form = window.new_checklist(child_id)
    activate(qtbot, form)

    def check_note(dialog):
        assert isinstance(dialog, QuickNoteDialog)
        assert dialog.child_id == child_id  # the form's child, not the caseload's
        QDialog.reject(dialog)

    while_dialog_open(lambda: qtbot.keyClick(form, Qt.Key.Key_N, CTRL), check_note)
    activate(qtbot, form)
    qtbot.keyClick(form, Qt.Key.Key_L, CTRL)
    assert not window.is_unlocked
    assert window.forms.windows == {}


def test_escape_goes_back_from_a_child_to_the_caseload(qtbot, make_window, existing_store):
    window, child_id = seeded_window(qtbot, make_window, existing_store)
    window.open_child(child_id)
    qtbot.waitUntil(lambda: window.child.overview is not None, timeout=5_000)
    window.child.chronology.setFocus()
    qtbot.keyClick(window.child.chronology, Qt.Key.Key_Escape)
    assert window.workspace.currentWidget() is window.caseload
