"""The small everyday fixes: Help is the last menu, the quick note starts in its text, the
PDF file name and folder, the certificate label's Alt key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cse_desktop.services.casework import Casework
from cse_desktop.ui.forms import QuickNoteDialog
from cse_desktop.ui.pdf_dialogs import documents_folder, friendly_file_name

from .conftest import add_child, first_run_through_ui


def test_help_is_the_last_menu(qtbot, make_window) -> None:
    window = make_window()
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles[-1] == "&Help"


def test_the_quick_note_starts_in_its_text(qtbot, make_window) -> None:
    window = make_window()
    first_run_through_ui(qtbot, window)
    child_id = add_child(window.session, "Ada", "Vale")
    dialog = QuickNoteDialog(Casework(window.session), child_id, confirm_discard=False)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    summary = dialog.form.editors["summary"]
    assert summary.contains_focus(dialog.focusWidget())
    qtbot.keyClicks(dialog.focusWidget(), "Rang school")
    assert dialog.answers()["summary"] == "Rang school"
    assert "contact_type" not in dialog.answers()


def test_a_saved_pdf_is_named_with_initials_form_and_date_in_documents(qtbot, make_window):
    window = make_window()
    first_run_through_ui(qtbot, window)
    child_id = add_child(window.session, "Zoë", "Nowak")
    name = friendly_file_name(window.session, "return home interview", child_id,
                              today=date(2026, 12, 2))
    assert name == "ZN return home interview 2026-12-02.pdf"
    assert "Nowak" not in name
    assert documents_folder() != Path.cwd()
