"""The return home interview in a FormView: conditions, autosave, flush, signing, position."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from cse_desktop.forms import parse_datetime
from cse_desktop.records import Record
from cse_desktop.services.casework import Casework
from cse_desktop.ui.forms import FormView, FormWindow, SignDialog
from cse_desktop.ui.forms.timefmt import utc_iso

from .conftest import PASSPHRASE, PRACTITIONER
from .helpers import click_option, type_into, when_shown


def complete(view: FormView) -> None:
    """Answer every question needed to sign the interview."""
    returned = parse_datetime(view.answers()["returned_at"])
    assert returned is not None
    view.set_answers({
        **view.raw_answers(),
        "offered_at": utc_iso(returned + timedelta(hours=3)),
        "outcome": "declined_by_child",
        "interviewer_independent": "yes",
    })


def test_starts_with_the_episode_facts_and_the_childs_name(make_view: Any, rhi: Record,
                                                          child: Record) -> None:
    view = make_view(rhi)
    assert view.answers()["where_found"] == "Bus station"
    assert view.editors["child_id"].display_text() == "Zoë Nowak"
    assert view.editors["episode_id"].display_text().startswith("Missing from ")
    assert view.answers()["child_id"] == child.id


def test_harm_details_appear_only_when_harm_is_yes(make_view: Any, rhi: Record) -> None:
    view = make_view(rhi)
    details = view.editors["harm_details"]
    assert not details.isVisible()
    click_option(view.editors["harm_experienced"], "yes")
    assert details.isVisible()
    click_option(view.editors["harm_experienced"], "no")
    assert not details.isVisible()


def test_completed_at_is_shown_and_required_only_for_completed_interviews(
        make_view: Any, rhi: Record) -> None:
    view = make_view(rhi)
    completed_at = view.editors["completed_at"]
    assert not completed_at.isVisible()
    click_option(view.editors["outcome"], "completed")
    assert completed_at.isVisible()
    assert "(required)" in view.editors["childs_words"].label.text()
    click_option(view.editors["outcome"], "declined_by_child")
    assert "(required)" not in view.editors["childs_words"].label.text()


def test_autosave_keeps_typing_and_a_new_view_shows_it(qtbot: Any, make_view: Any,
                                                       casework: Casework, rhi: Record) -> None:
    view = make_view(rhi, autosave_ms=50)
    type_into(qtbot, view.editors["where_stayed"], "At a friend's flat")
    assert view.status_text() == "Not saved yet"
    qtbot.waitUntil(lambda: view.status_text().startswith("Saved "), timeout=5000)
    assert casework.open_record(rhi.id).data["where_stayed"] == "At a friend's flat"
    again = make_view(casework.open_record(rhi.id))
    assert again.answers()["where_stayed"] == "At a friend's flat"


def test_saves_run_one_at_a_time_and_the_last_typing_wins(qtbot: Any, make_view: Any,
                                                          casework: Casework,
                                                          rhi: Record) -> None:
    view = make_view(rhi, autosave_ms=0)
    statuses: list[str] = []
    view.status_changed.connect(statuses.append)
    for letter in "abcdefgh":
        type_into(qtbot, view.editors["where_found"], letter)
        qtbot.wait(1)
    qtbot.waitUntil(lambda: not view._saver.is_busy() and view.status_text().startswith(
        "Saved"), timeout=5000)
    assert not any(s.startswith("Could not save") for s in statuses)
    assert casework.open_record(rhi.id).data["where_found"] == "Bus stationabcdefgh"


def test_flush_saves_at_once(qtbot: Any, make_view: Any, casework: Casework,
                             rhi: Record) -> None:
    view = make_view(rhi, autosave_ms=60_000)
    type_into(qtbot, view.editors["police_reference"], "PR-123")
    assert view.flush() is True
    assert casework.open_record(rhi.id).data["police_reference"] == "PR-123"


def test_closing_the_window_saves_what_was_typed(qtbot: Any, casework: Casework,
                                                 rhi: Record) -> None:
    window = FormWindow(casework, rhi, autosave_ms=60_000)
    qtbot.addWidget(window)
    window.show()
    assert window.windowTitle() == "Return home interview — Zoë Nowak (draft)"
    type_into(qtbot, window.view.editors["child_wants"], "To go back to school")
    with qtbot.waitSignal(window.closed):
        window.close()
    assert casework.open_record(rhi.id).data["child_wants"] == "To go back to school"


def test_ctrl_s_saves(qtbot: Any, casework: Casework, rhi: Record) -> None:
    window = FormWindow(casework, rhi, autosave_ms=60_000)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitActive(window):
        window.activateWindow()
    type_into(qtbot, window.view.editors["police_reference"], "PR-9")
    qtbot.keyClick(window.view.editors["police_reference"].focus_target(), Qt.Key.Key_S,
                   Qt.KeyboardModifier.ControlModifier)
    assert casework.open_record(rhi.id).data["police_reference"] == "PR-9"
    window.view.shutdown()


def test_signing_an_incomplete_form_lists_problems_and_goes_to_the_first(
        qtbot: Any, make_view: Any, rhi: Record) -> None:
    view = make_view(rhi)
    with qtbot.waitActive(view):
        view.activateWindow()
    assert view.request_sign() is None
    assert view.error_summary.isVisible()
    assert "cannot be signed yet" in view.error_summary.heading.text()
    offered = view.editors["offered_at"]
    assert offered.error.isVisible()
    assert offered.error.text() == "Date and time the interview was offered is required."
    assert offered.contains_focus(QApplication.focusWidget())
    item = view.navigator.item_for("timing")
    assert item.text().endswith("(3 to check)")
    # Fixing a problem clears it at once.
    qtbot.mouseClick(offered._now, Qt.MouseButton.LeftButton)
    assert not offered.error.isVisible()


def _sign_with(passphrase: str, *, draw_nothing: bool = True) -> Any:
    def act(dialog: SignDialog) -> None:
        dialog.declaration.setChecked(True)
        if draw_nothing:
            dialog.pad.no_drawing.setChecked(True)
        dialog.passphrase.setText(passphrase)
        dialog.sign_button.click()
    return act


def test_signing_is_refused_until_the_declaration_is_ticked(
        qtbot: Any, casework: Casework, make_view: Any, rhi: Record) -> None:
    view = make_view(rhi)
    complete(view)
    view.flush()
    dialog = SignDialog(casework, view.record, view.answers(), parent=view)
    qtbot.addWidget(dialog)
    dialog.show()

    def writes() -> list[str]:
        return [e.action for e in casework.store.audit_entries(record_id=rhi.id)
                if e.action != "view"]

    writes_before = writes()
    assert not dialog.declaration.isChecked()
    dialog.pad.no_drawing.setChecked(True)
    dialog.passphrase.setText(PASSPHRASE)
    dialog.passphrase.setFocus()
    dialog.sign_button.click()
    assert not dialog.is_busy()  # nothing was started
    assert dialog.isVisible() and dialog.result() == 0
    assert dialog.message.isVisible()
    assert dialog.message.text() == ("Tick the box to confirm this record is accurate and "
                                     "complete, then press Sign.")
    assert dialog.focusWidget() is dialog.declaration
    assert dialog.signed_record is None
    assert not casework.open_record(rhi.id).is_signed
    assert writes() == writes_before
    # Nothing entered is lost, and ticking the box clears the message.
    assert dialog.passphrase.text() == PASSPHRASE and dialog.pad.no_drawing.isChecked()
    dialog.declaration.setChecked(True)
    assert not dialog.message.isVisible()
    dialog.sign_button.click()
    qtbot.waitUntil(lambda: dialog.signed_record is not None, timeout=10_000)
    assert casework.open_record(rhi.id).is_signed


def test_declaration_is_a_named_tick_box_before_the_signature_pad(
        qtbot: Any, casework: Casework, rhi: Record) -> None:
    dialog = SignDialog(casework, casework.open_record(rhi.id))
    qtbot.addWidget(dialog)
    assert dialog.declaration.text() == "I confirm this record is accurate and complete."
    assert dialog.declaration.accessibleName() == dialog.declaration.text()
    assert dialog.focusWidget() is dialog.declaration
    order: list[QWidget] = []
    widget: QWidget = dialog.declaration
    while len(order) < 50:
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            order.append(widget)
        widget = widget.nextInFocusChain()
        if widget is dialog.declaration:
            break
    wanted = [dialog.declaration, dialog.pad.clear_button, dialog.pad.no_drawing,
              dialog.passphrase, dialog.sign_button, dialog.cancel_button]
    assert [w for w in order if w in wanted] == wanted


def test_wrong_passphrase_says_so_and_keeps_everything(qtbot: Any, casework: Casework,
                                                       make_view: Any, rhi: Record) -> None:
    view = make_view(rhi)
    complete(view)
    type_into(qtbot, view.editors["who_with"], "Two older boys")
    view.flush()
    dialog = SignDialog(casework, view.record, view.answers(), parent=view)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.declaration.setChecked(True)
    dialog.pad.no_drawing.setChecked(True)
    qtbot.keyClicks(dialog.passphrase, "not my passphrase")
    dialog.sign_button.click()
    assert dialog.is_busy()
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=10_000)
    assert dialog.isVisible()
    assert dialog.result() == 0
    assert "passphrase is not right" in dialog.message.text()
    assert "nothing you entered is lost" in dialog.message.text()
    assert dialog.pad.no_drawing.isChecked() and dialog.declaration.isChecked()
    assert view.answers()["who_with"] == "Two older boys"
    assert not casework.open_record(rhi.id).is_signed
    dialog.reject()


def test_wrong_then_right_passphrase_in_the_same_dialog(qtbot: Any, casework: Casework,
                                                        make_view: Any, rhi: Record) -> None:
    view = make_view(rhi)
    complete(view)
    messages: list[str] = []

    def second_try(dialog: SignDialog) -> None:
        if dialog.is_busy():
            QTimer.singleShot(20, lambda: second_try(dialog))
            return
        messages.append(dialog.message.text())
        dialog.passphrase.setText(PASSPHRASE)
        dialog.sign_button.click()

    def first_try(dialog: SignDialog) -> None:
        _sign_with("wrong passphrase!")(dialog)
        QTimer.singleShot(20, lambda: second_try(dialog))

    when_shown(SignDialog, first_try)
    record = view.request_sign()
    assert messages and "passphrase is not right" in messages[0]
    assert record is not None and record.is_signed
    assert view.is_read_only()


def test_sign_flow_end_to_end(qtbot: Any, casework: Casework, make_view: Any,
                              rhi: Record) -> None:
    view = make_view(rhi)
    complete(view)
    type_into(qtbot, view.editors["who_with"], "Two older boys")
    signed: list[Record] = []
    view.signed.connect(signed.append)
    when_shown(SignDialog, _sign_with(PASSPHRASE))
    record = view.request_sign()
    assert record is not None and record.is_signed
    assert signed == [record]
    stored = casework.open_record(rhi.id)
    assert stored.is_signed and stored.data["who_with"] == "Two older boys"
    assert view.is_read_only()
    assert all(editor.is_read_only() for editor in view.editors.values())
    banner = view.signed_banner.text.text()
    assert banner.startswith(f"Signed by {PRACTITIONER} (Outreach worker) on ")
    assert banner.endswith("Signed records cannot be changed — add an addendum to correct or "
                           "add to it.")
    assert view.signed_banner.button.text() == "Add addendum…"
    assert view.signed_banner.isVisible()


def test_signed_record_opens_read_only(qtbot: Any, casework: Casework, make_view: Any,
                                       rhi: Record) -> None:
    view = make_view(rhi)
    complete(view)
    view.flush()
    casework.sign(rhi.id, view.answers(), PASSPHRASE, None)
    reopened = make_view(casework.open_record(rhi.id))
    assert reopened.is_read_only()
    assert reopened.signed_banner.isVisible()
    assert reopened.editors["where_found"].read_only_view.text() == "Bus station"
    assert reopened.flush() is True  # nothing to save, nothing fails


def test_position_is_restored_in_a_new_view(qtbot: Any, make_view: Any,
                                            casework: Casework, rhi: Record) -> None:
    view = make_view(rhi)
    with qtbot.waitActive(view):
        view.activateWindow()
    view.focus_field("safety_plan")
    position = view.position()
    assert position["field"] == "safety_plan"
    assert position["section"] in ("consent", "outcomes")
    view.flush()
    again = make_view(casework.open_record(rhi.id))
    with qtbot.waitActive(again):
        again.activateWindow()
    again.restore_position(position)
    qtbot.wait(10)
    assert again.focused_field() == "safety_plan"
    assert again.editors["safety_plan"].contains_focus(QApplication.focusWidget())


def test_navigator_enter_goes_to_the_first_question_of_a_section(qtbot: Any,
                                                                make_view: Any,
                                                                rhi: Record) -> None:
    view = make_view(rhi)
    with qtbot.waitActive(view):
        view.activateWindow()
    view.navigator.setFocus()
    view.navigator.setCurrentRow(2)  # While the child was missing
    qtbot.keyClick(view.navigator, Qt.Key.Key_Return)
    assert view.editors["where_stayed"].contains_focus(QApplication.focusWidget())
    assert view.current_section() == "while_missing"


def test_tab_follows_the_order_of_the_questions(qtbot: Any, make_view: Any,
                                                rhi: Record) -> None:
    view = make_view(rhi)
    with qtbot.waitActive(view):
        view.activateWindow()
    order = ["where_stayed", "who_with", "travel"]
    view.focus_field("where_stayed")
    seen: list[str] = []
    for _ in range(2):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        widget: QWidget | None = QApplication.focusWidget()
        seen.extend(fid for fid, ed in view.editors.items() if ed.contains_focus(widget))
    assert seen == order[1:]
    # The whole chain: every question of the section comes in form order.
    chain_owner = []
    widget = view.editors["where_stayed"].focus_target()
    for _ in range(60):
        owner = next((fid for fid, ed in view.editors.items() if ed.contains_focus(widget)),
                     None)
        if owner and (not chain_owner or chain_owner[-1] != owner):
            chain_owner.append(owner)
        widget = widget.nextInFocusChain()
    section = [f.id for f in view.definition.section_of("where_stayed").fields
               if not view.editors[f.id].isHidden()]
    assert chain_owner[:len(section)] == section


def test_lock_snapshot_and_reopen_after_unlock(qtbot: Any, tmp_path: Any, session: Any,
                                               casework: Casework, rhi: Record) -> None:
    from cse_desktop.services.session import unlock
    from cse_desktop.ui.forms import reopen

    window = FormWindow(casework, rhi, autosave_ms=60_000)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitActive(window):
        window.activateWindow()
    type_into(qtbot, window.view.editors["who_with"], "Two older boys")
    window.view.focus_field("who_with")
    snapshot = window.lock_snapshot()
    assert snapshot["unsaved"] is None  # it was saved before the lock
    assert snapshot["position"]["field"] == "who_with"
    session.lock()
    new_session = unlock(session.data_dir, PASSPHRASE)
    try:
        again = FormWindow.reopen(Casework(new_session), snapshot, autosave_ms=60_000)
        qtbot.addWidget(again)
        again.show()
        with qtbot.waitActive(again):
            again.activateWindow()
        qtbot.wait(10)
        assert again.view.answers()["who_with"] == "Two older boys"
        assert again.view.focused_field() == "who_with"
        # Answers that could not be saved before the lock come back too.
        view = reopen(Casework(new_session), {**snapshot, "unsaved": {
            **again.view.raw_answers(), "child_wants": "To see her sister"}},
            autosave_ms=60_000)
        qtbot.addWidget(view)
        assert view.answers()["child_wants"] == "To see her sister"
        assert view.has_unsaved_changes()
        for item in (again.view, view):
            item.flush()
            item.shutdown()
    finally:
        new_session.lock()


def test_ctrl_enter_signs_even_from_a_text_box(qtbot: Any, casework: Casework, rhi: Record,
                                               monkeypatch: Any) -> None:
    window = FormWindow(casework, rhi, autosave_ms=60_000)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitActive(window):
        window.activateWindow()
    asked: list[bool] = []
    monkeypatch.setattr(window.view, "request_sign", lambda: asked.append(True))
    box = window.view.editors["who_with"].focus_target()
    box.setFocus()
    qtbot.keyClicks(box, "Two older boys")
    qtbot.keyClick(box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert asked == [True]
    assert window.view.answers()["who_with"] == "Two older boys"  # no new line typed
    window.view.shutdown()


def test_every_control_has_a_name_for_screen_readers(make_view: Any, rhi: Record,
                                                     checklist: Record) -> None:
    from PySide6.QtGui import QAccessible

    for record in (rhi, checklist):
        view = make_view(record)
        view.editors["actions"].add_row()
        unnamed = []
        for widget in view.findChildren(QWidget):
            if not widget.isVisible() or not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                continue
            if widget.objectName() == "qt_spinbox_lineedit":
                continue  # inside a date editor, which has the name
            interface = QAccessible.queryAccessibleInterface(widget)
            name = interface.text(QAccessible.Text.Name) if interface else ""
            if not (widget.accessibleName() or name):
                unnamed.append(f"{type(widget).__name__} {widget.objectName()}")
        assert unnamed == [], unnamed


def test_a_draft_can_be_shown_read_only_and_edited_again(qtbot: Any, make_view: Any,
                                                         casework: Casework,
                                                         rhi: Record) -> None:
    view = make_view(rhi, read_only=True, autosave_ms=10)
    assert view.is_read_only() and not view.signed_banner.isVisible()
    view.set_read_only(False)
    type_into(qtbot, view.editors["who_with"], "Two older boys")
    qtbot.waitUntil(lambda: view.status_text().startswith("Saved"), timeout=5000)
    assert casework.open_record(rhi.id).data["who_with"] == "Two older boys"
