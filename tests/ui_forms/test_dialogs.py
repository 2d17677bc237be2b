"""Addenda, quick case notes, and saving when the store cannot be written."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from cse_desktop.records import Record, RecordType
from cse_desktop.services.casework import Casework
from cse_desktop.services.session import Session
from cse_desktop.ui.forms import AddendumDialog, QuickNoteDialog, SignDialog

from .conftest import PASSPHRASE
from .helpers import click_option, type_into, when_shown
from .test_form_view import complete


def _signed_rhi(casework: Casework, make_view: Any, rhi: Record) -> Record:
    view = make_view(rhi)
    complete(view)
    view.flush()
    return casework.sign(rhi.id, view.answers(), PASSPHRASE, None)


def _sign(dialog: SignDialog) -> None:
    dialog.declaration.setChecked(True)
    dialog.pad.no_drawing.setChecked(True)
    dialog.passphrase.setText(PASSPHRASE)
    dialog.sign_button.click()


def test_add_addendum_from_a_signed_view(qtbot: Any, casework: Casework, make_view: Any,
                                         rhi: Record) -> None:
    signed = _signed_rhi(casework, make_view, rhi)
    view = make_view(casework.open_record(signed.id))
    added: list[Record] = []
    view.addendum_added.connect(added.append)

    def fill(dialog: AddendumDialog) -> None:
        type_into(qtbot, dialog.form.editors["reason"], "Wrong police reference")
        type_into(qtbot, dialog.form.editors["text"], "The reference is PR-456.")
        when_shown(SignDialog, _sign)
        dialog.sign_button.click()

    when_shown(AddendumDialog, fill)
    view.signed_banner.button.click()
    assert len(added) == 1 and added[0].is_signed
    assert added[0].data == {"reason": "Wrong police reference",
                             "text": "The reference is PR-456."}
    assert casework.open_record(signed.id).data == signed.data  # the original is unchanged
    assert view.addenda_panel.headings[0].startswith("Addendum 1 — signed by ")


def test_addendum_needs_reason_and_text(qtbot: Any, casework: Casework, make_view: Any,
                                        rhi: Record) -> None:
    signed = _signed_rhi(casework, make_view, rhi)
    dialog = AddendumDialog(casework, signed)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.sign_button.click()
    assert dialog.isVisible() and dialog.addendum is None
    assert dialog.form.editors["reason"].error.text().endswith("is required.")


def test_addendum_left_unsigned_is_kept_as_a_draft_and_can_be_signed_later(
        qtbot: Any, casework: Casework, make_view: Any, rhi: Record) -> None:
    signed = _signed_rhi(casework, make_view, rhi)
    view = make_view(casework.open_record(signed.id))

    def fill(dialog: AddendumDialog) -> None:
        type_into(qtbot, dialog.form.editors["reason"], "Missing detail")
        type_into(qtbot, dialog.form.editors["text"], "She also mentioned a taxi.")
        when_shown(SignDialog, lambda d: d.cancel_button.click())
        dialog.sign_button.click()

    when_shown(AddendumDialog, fill)
    addendum = view.add_addendum()
    assert addendum is not None and not addendum.is_signed
    assert len(view.addenda_panel.sign_buttons) == 1
    when_shown(SignDialog, _sign)
    view.addenda_panel.sign_buttons[0].click()
    assert casework.addenda_of(signed.id)[0].is_signed


def test_quick_note_save_as_draft(qtbot: Any, casework: Casework, child: Record) -> None:
    dialog = QuickNoteDialog(casework, child.id, confirm_discard=False)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    assert dialog.windowTitle() == "Case note — Zoë Nowak"
    assert dialog.form.editors["occurred_at"].value() is not None  # defaults to now
    assert "child_id" not in dialog.form.editors
    type_into(qtbot, dialog.form.editors["summary"], "Met at the youth club.")
    saved: list[Record] = []
    dialog.saved.connect(saved.append)
    qtbot.keyClick(dialog.form.editors["summary"].focus_target(), Qt.Key.Key_S,
                   Qt.KeyboardModifier.ControlModifier)
    assert len(saved) == 1
    note = casework.open_record(saved[0].id)
    assert note.record_type is RecordType.CASE_NOTE and not note.is_signed
    assert note.data["summary"] == "Met at the youth club."
    assert note.child_id == child.id


def test_quick_note_save_and_sign(qtbot: Any, casework: Casework, child: Record) -> None:
    dialog = QuickNoteDialog(casework, child.id, confirm_discard=False)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.sign_button.click()  # nothing typed yet: the problems are shown
    assert dialog.message.isVisible()
    assert dialog.form.editors["contact_type"].error.isVisible()
    assert dialog.record is None
    click_option(dialog.form.editors["contact_type"], "outreach")
    type_into(qtbot, dialog.form.editors["location"], "Town centre")
    type_into(qtbot, dialog.form.editors["summary"], "Saw her near the station.")
    type_into(qtbot, dialog.form.editors["childs_voice"], "I'm fine, honestly.")
    dialog.form.editors["actions"].add_row({"what": "Tell social worker", "owner": "Sam"})
    when_shown(SignDialog, _sign)
    dialog.sign_button.click()
    assert dialog.record is not None and dialog.record.is_signed
    stored = casework.open_record(dialog.record.id)
    assert stored.data["actions"] == [{"what": "Tell social worker", "owner": "Sam"}]
    assert stored.data["contact_type"] == "outreach"


def test_a_failed_save_is_shown_plainly_and_typing_is_kept(qtbot: Any, make_view: Any,
                                                           session: Session,
                                                           rhi: Record) -> None:
    view = make_view(rhi, autosave_ms=20)
    session.lock()
    type_into(qtbot, view.editors["who_with"], "Unknown adults")
    qtbot.waitUntil(lambda: view.status_text().startswith("Could not save:"), timeout=5000)
    assert "locked" in view.status_text()
    assert view.answers()["who_with"] == "Unknown adults"
    assert view.flush() is False
    assert view.has_unsaved_changes()


def test_draft_changed_elsewhere_is_not_overwritten_unless_chosen(
        qtbot: Any, make_view: Any, casework: Casework, rhi: Record) -> None:
    view = make_view(rhi, autosave_ms=20)
    casework.save_draft(rhi.id, {**rhi.data, "where_stayed": "From the other laptop"})
    type_into(qtbot, view.editors["who_with"], "Two older boys")
    qtbot.waitUntil(lambda: view.status_text().startswith("Could not save:"), timeout=5000)
    assert "changed somewhere else" in view.status_text()
    assert view.keep_mine_button.isVisible()
    assert casework.open_record(rhi.id).data.get("who_with") is None  # nothing overwritten
    assert view.keep_what_i_typed() is True
    assert casework.open_record(rhi.id).data["who_with"] == "Two older boys"
    assert not view.keep_mine_button.isVisible()
    assert view.status_text().startswith("Saved ")


def test_closing_with_an_unsaved_change_asks_first(qtbot: Any, casework: Casework,
                                                   session: Session, rhi: Record) -> None:
    from PySide6.QtWidgets import QMessageBox

    from cse_desktop.ui.forms import FormWindow

    window = FormWindow(casework, rhi, autosave_ms=60_000)
    qtbot.addWidget(window)
    window.show()
    session.lock()
    type_into(qtbot, window.view.editors["who_with"], "Two older boys")
    seen: list[str] = []

    def cancel(box: QMessageBox) -> None:
        seen.append(box.text())
        box.button(QMessageBox.StandardButton.Cancel).click()

    when_shown(QMessageBox, cancel)
    window.close()
    assert window.isVisible()  # still open: nothing typed is lost
    assert "will be lost" in seen[0]

    def close_anyway(box: QMessageBox) -> None:
        next(b for b in box.buttons() if b.text() == "Close without saving").click()

    when_shown(QMessageBox, close_anyway)
    with qtbot.waitSignal(window.closed):
        window.close()
