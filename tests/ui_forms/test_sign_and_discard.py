"""Everyday flows through the real widgets: Enter signs, discarding a draft, safeguarding
rules before signing, and "None identified" saying what it unticked."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from cse_desktop.records import Record
from cse_desktop.services.casework import Casework
from cse_desktop.ui.forms import FormWindow, SignDialog

from .conftest import PASSPHRASE
from .helpers import click_option, draw, type_into, when_shown
from .test_form_view import complete


def _dialog(qtbot: Any, casework: Casework, view: Any) -> SignDialog:
    view.flush()
    dialog = SignDialog(casework, view.record, view.answers(), parent=view)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_enter_in_the_passphrase_box_signs_and_keeps_the_drawing(
        qtbot: Any, casework: Casework, make_view: Any, rhi: Record) -> None:
    view = make_view(rhi)
    complete(view)
    dialog = _dialog(qtbot, casework, view)
    dialog.declaration.setChecked(True)
    draw(dialog.pad.canvas, [(30, 40), (90, 80), (150, 50)])
    assert not dialog.pad.is_empty()
    # Walk through the pad's buttons with Tab, as a keyboard user does, then type.
    dialog.pad.clear_button.setFocus(Qt.FocusReason.TabFocusReason)
    dialog.passphrase.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert not dialog.pad.is_empty(), "Enter must never clear the signature"
    qtbot.waitUntil(lambda: dialog.signed_record is not None, timeout=10_000)
    signed = casework.open_record(rhi.id)
    assert signed.is_signed and signed.signature is not None
    assert signed.signature.image_png  # the drawing was kept and signed


def test_no_signature_pad_button_is_a_default_button(qtbot: Any, casework: Casework,
                                                     rhi: Record) -> None:
    dialog = SignDialog(casework, casework.open_record(rhi.id))
    qtbot.addWidget(dialog)
    dialog.show()
    for button in dialog.pad.findChildren(QPushButton):
        assert not button.autoDefault() and not button.isDefault(), button.text()
    assert dialog.sign_button.isDefault()
    assert not dialog.cancel_button.autoDefault()


def test_a_wrong_passphrase_message_goes_when_typing_again(
        qtbot: Any, casework: Casework, make_view: Any, rhi: Record) -> None:
    view = make_view(rhi)
    complete(view)
    dialog = _dialog(qtbot, casework, view)
    dialog.declaration.setChecked(True)
    dialog.pad.no_drawing.setChecked(True)
    qtbot.keyClicks(dialog.passphrase, "not my passphrase")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=10_000)
    assert dialog.message.isVisible()
    assert "passphrase is not right" in dialog.message.text()
    qtbot.keyClicks(dialog.passphrase, "c")
    assert not dialog.message.isVisible()
    dialog.reject()


def test_the_sign_dialog_grows_with_its_message(qtbot: Any, casework: Casework,
                                                rhi: Record) -> None:
    dialog = SignDialog(casework, casework.open_record(rhi.id))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    pad_height = dialog.pad.canvas.height()
    dialog.declaration.setChecked(True)
    dialog.sign()  # nothing drawn: a two-line message
    assert dialog.message.isVisible()
    QApplication.processEvents()
    assert dialog.pad.canvas.height() >= min(pad_height, dialog.pad.canvas.minimumHeight())
    assert dialog.message.height() >= dialog.message.heightForWidth(dialog.message.width())


# -- discarding drafts ------------------------------------------------------------------------


def _drafts(casework: Casework, child: Record) -> list[Record]:
    return [r for r in casework.store.records(child_id=child.id) if not r.is_signed
            and r.record_type.value != "child"]


def test_the_author_discards_a_draft_audited_and_synced_as_a_tombstone(
        qtbot: Any, casework: Casework, child: Record, checklist: Record) -> None:
    window = FormWindow(casework, casework.open_record(checklist.id), autosave_ms=0)
    qtbot.addWidget(window)
    window.show()
    click_option(window.view.editors["self_harm"], "yes")
    window.save_now()
    assert window.discard_button.isVisible()
    pending_before = casework.store.pending_count()

    def answer(box: QMessageBox) -> None:
        assert "cannot be undone" in box.text()
        discard = next(b for b in box.buttons() if b.text() == "Discard draft")
        discard.click()

    when_shown(QMessageBox, answer)
    with qtbot.waitSignal(window.discarded, timeout=5000):
        assert window.discard()
    assert not window.isVisible()
    assert checklist.id not in [r.id for r in _drafts(casework, child)]
    gone = casework.store.records(child_id=child.id, include_deleted=True)
    tombstone = next(r for r in gone if r.id == checklist.id)
    assert tombstone.deleted
    assert "delete" in [e.action for e in casework.store.audit_entries(record_id=checklist.id)]
    changes = casework.store.pending_changes()
    assert casework.store.pending_count() >= pending_before
    assert any(c.record_id == checklist.id and c.record.deleted for c in changes)


def test_cancelling_the_question_keeps_the_draft(qtbot: Any, casework: Casework,
                                                 child: Record, checklist: Record) -> None:
    window = FormWindow(casework, casework.open_record(checklist.id), autosave_ms=0)
    qtbot.addWidget(window)
    window.show()
    when_shown(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Cancel).click())
    assert not window.discard()
    assert window.isVisible()
    assert checklist.id in [r.id for r in _drafts(casework, child)]
    window.close()


def test_signed_records_and_other_peoples_drafts_cannot_be_discarded(
        casework: Casework, checklist: Record) -> None:
    import pytest

    from cse_desktop.services.errors import ServiceError

    other = checklist.with_changes(author="Someone Else")
    assert not casework.may_discard(other)
    assert casework.may_discard(checklist)
    child = casework.find(checklist.child_id or "")
    assert child is not None and not casework.may_discard(child)
    with pytest.raises(ServiceError):
        casework.discard_draft(child.id)


def test_an_untouched_new_form_leaves_nothing_behind(qtbot: Any, casework: Casework,
                                                     child: Record) -> None:
    started = casework.start_draft("warning_signs", child.id)
    window = FormWindow(casework, started, new_draft=True)
    qtbot.addWidget(window)
    window.show()
    window.close()
    assert started.id not in [r.id for r in _drafts(casework, child)]
    # ... but a new form that was typed in is kept as a draft.
    kept = casework.start_draft("warning_signs", child.id)
    window = FormWindow(casework, kept, new_draft=True, autosave_ms=0)
    qtbot.addWidget(window)
    window.show()
    click_option(window.view.editors["self_harm"], "no")
    window.close()
    assert kept.id in [r.id for r in _drafts(casework, child)]


def test_escape_saves_and_closes_a_form_window(qtbot: Any, casework: Casework,
                                               rhi: Record) -> None:
    window = FormWindow(casework, casework.open_record(rhi.id), autosave_ms=60_000)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    type_into(qtbot, window.view.editors["who_with"], "Two older boys")
    window.activateWindow()
    qtbot.keyClick(window.view.editors["who_with"].focus_target(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert casework.open_record(rhi.id).data["who_with"] == "Two older boys"


# -- safeguarding rules before signing ----------------------------------------------------------


def test_a_safeguarding_override_with_nobody_to_share_with_cannot_be_signed(
        qtbot: Any, casework: Casework, make_view: Any, rhi: Record) -> None:
    view = make_view(rhi)
    complete(view)
    click_option(view.editors["consent_to_share"], "not_asked_safeguarding_override")
    type_into(qtbot, view.editors["safeguarding_override_reason"], "Immediate risk of harm")
    opened: list[object] = []
    when_shown(SignDialog, lambda d: (opened.append(d), d.reject()), tries=10)
    assert view.request_sign() is None
    assert not opened, "the sign dialog must not open while a rule is broken"
    share = view.editors["share_with"]
    assert share.error.isVisible()
    assert "needs at least one agency" in share.error.text()
    assert any("needs at least one agency" in m for m in view.error_summary.messages)
    assert "needs at least one agency" in view.error_summary.items.text()
    click_option(share, "police")
    assert not share.error.isVisible()


def test_a_high_risk_checklist_needs_a_professional_view_and_an_action(
        qtbot: Any, casework: Casework, make_view: Any, checklist: Record) -> None:
    view = make_view(checklist)
    qtbot.mouseClick(view.editors["assessed_at"]._now, Qt.MouseButton.LeftButton)
    for field in view.definition.indicator_fields():
        click_option(view.editors[field.id], "no")
    assert not view.problems_before_signing()  # complete, no apparent risk: no rule applies
    click_option(view.editors["disclosed_sexual_abuse"], "yes")
    problems = {e.field_id: e.message for e in view.problems_before_signing()}
    assert problems == {
        "professional_judgement": "High risk: write your professional view before signing.",
        "actions": ("High risk: add at least one action (what will happen and who will do "
                    "it) before signing."),
    }
    assert view.editors["professional_judgement"].is_required()
    errors = casework.check(view.record, view.answers(), complete=True)
    assert {e.field_id for e in errors} == {"professional_judgement", "actions"}


def test_ticking_none_identified_says_what_it_unticked(qtbot: Any, make_view: Any,
                                                       rhi: Record) -> None:
    view = make_view(rhi)
    editor = view.editors["risk_indicators"]
    click_option(editor, "sexual_exploitation")
    click_option(editor, "trafficking")
    assert not editor.notice.isVisible()
    click_option(editor, "none_identified")
    assert view.answers()["risk_indicators"] == ["none_identified"]
    assert editor.notice.isVisible()
    assert "Sexual exploitation" in editor.notice.text()
    assert "unticked" in editor.notice.text()


def test_form_windows_say_demo_on_a_demo_store(qtbot: Any, casework: Casework,
                                               rhi: Record) -> None:
    window = FormWindow(casework, casework.open_record(rhi.id))
    qtbot.addWidget(window)
    assert window.demo_banner is None
    window.close()
    casework.store.set_meta("demo", True)
    window = FormWindow(casework, casework.open_record(rhi.id))
    qtbot.addWidget(window)
    window.show()
    assert window.demo_banner is not None and window.demo_banner.isVisible()
    assert window.demo_banner.text().startswith("DEMO")
    window.close()
