"""Every top-level window and dialog at 1366x768: nothing larger than the available screen,
and no visible label or button whose text is cut off (its size hint wider, or taller, than
the room it has, with no word wrap)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtGui import QGuiApplication

from cse_desktop.clock import SYSTEM_CLOCK
from cse_desktop.records import Role
from cse_desktop.services.casework import Casework
from cse_desktop.ui.forms import FormWindow, QuickNoteDialog, SignDialog
from cse_desktop.ui.passphrase_dialog import ChangePassphraseDialog
from cse_desktop.ui.pdf_dialogs import VerifyPdfDialog, print_record
from cse_desktop.ui.record_dialogs import ChildDialog, EpisodeDialog
from cse_desktop.ui.sync_controller import SyncController
from cse_desktop.ui.sync_widgets import EnrolmentDialog, SyncSettingsPage

from .conftest import first_run_through_ui
from .screen_fit import LAPTOP, problems


@pytest.fixture
def unlocked(qtbot, make_window):
    window = make_window()
    first_run_through_ui(qtbot, window)
    work = Casework(window.session)
    child = work.add_child({"first_name": "Maisie-Rose", "last_name": "Okonkwo-Fairweather",
                            "date_of_birth": "2011-03-03", "local_reference": "NF-204817",
                            "school_or_college": "Marrowby Academy"})
    for hours in (80, 300, 900):  # one overdue interview, two older episodes
        returned = SYSTEM_CLOCK.now() - timedelta(hours=hours)
        work.record_episode(child.id, {
            "missing_or_absent": "missing", "reported_by": "police",
            "went_missing_at": (returned - timedelta(hours=9)).isoformat(),
            "returned_at": returned.isoformat(), "where_found": "Bus station"})
    window.open_child(child.id)
    qtbot.waitUntil(lambda: window.child.overview is not None
                    and len(window.child.overview.episodes) == 3, timeout=10_000)
    return window, work, child


def test_the_test_screen_is_a_laptop_screen(qapp) -> None:
    size = QGuiApplication.primaryScreen().size()
    assert (size.width(), size.height()) == LAPTOP


def test_every_window_and_dialog_fits_a_laptop_screen(qtbot, unlocked, tmp_path) -> None:
    window, work, child = unlocked
    assert window.windowTitle() == "Child record — Child exploitation casework"
    found = problems(window, "Child page")
    window.show_caseload()
    qtbot.waitUntil(lambda: window.caseload.model.rowCount() == 1, timeout=10_000)
    found += problems(window, "Caseload")

    episode = window.child.overview.episodes[0].episode
    rhi = work.start_return_interview(episode.id)
    form = FormWindow(work, rhi)
    qtbot.addWidget(form)
    found += problems(form, "Return home interview")
    form.view.request_sign()  # incomplete: the error summary
    found += problems(form, "Return home interview with problems")
    form.view.shutdown()

    checklist = work.start_draft("warning_signs", child.id)
    form = FormWindow(work, checklist)
    qtbot.addWidget(form)
    form.view.request_sign()  # 35 problems: the summary must stay compact
    found += problems(form, "Checklist with problems")
    summary = form.view.error_summary
    assert summary.height() < form.height() // 4, "the error summary takes the window"
    form.view.shutdown()

    sign = SignDialog(work, work.open_record(checklist.id), parent=window)
    qtbot.addWidget(sign)
    found += problems(sign, "Sign dialog")
    sign.declaration.setChecked(True)
    sign.sign()  # nothing drawn: the longest message
    found += problems(sign, "Sign dialog with a message")
    assert sign.pad.canvas.height() >= sign.pad.canvas.minimumHeight()
    sign.reject()

    for dialog, name in ((ChildDialog(work, parent=window), "Add a child"),
                         (EpisodeDialog(work, child.id, parent=window), "Missing episode"),
                         (QuickNoteDialog(work, child.id, parent=window,
                                          confirm_discard=False), "Quick note")):
        qtbot.addWidget(dialog)
        found += problems(dialog, name)
        dialog.reject()

    note = work.quick_note(child.id, {"occurred_at": SYSTEM_CLOCK.now().isoformat(),
                                      "contact_type": "phone", "summary": "Rang about school."})
    pdf = print_record(window.session, note.id, parent=window, show=False)
    qtbot.addWidget(pdf)
    found += problems(pdf, "Print record (working)")
    qtbot.waitUntil(lambda: pdf.pdf is not None or pdf.error is not None, timeout=30_000)
    found += problems(pdf, "Print record (done)")
    signed = pdf.pdf
    pdf.reject()
    assert signed is not None
    found += _verify_dialogs(qtbot, window, signed, tmp_path)
    found += _passphrase_and_sync_dialogs(qtbot, window)

    assert found == []


def _verify_dialogs(qtbot, window, signed: bytes, folder) -> list[str]:
    """Verify a PDF: valid, altered after signing, and not a PDF of this app."""
    altered = bytearray(signed)
    at = altered.index(b"Rang about school.") if b"Rang about school." in altered else 400
    altered[at] ^= 0x01
    found: list[str] = []
    for name, content in (("valid", signed), ("altered", bytes(altered)),
                          ("unknown", b"%PDF-1.4\nnot a signed form\n%%EOF\n")):
        path = folder / f"{name}.pdf"
        path.write_bytes(content)
        dialog = VerifyPdfDialog(window, session=window.session)
        qtbot.addWidget(dialog)
        dialog.show()
        with qtbot.waitSignal(dialog.checked, timeout=30_000):
            dialog.check_file(path)
        found += problems(dialog, f"Verify a PDF ({name})")
        dialog.reject()
    return found


def _passphrase_and_sync_dialogs(qtbot, window) -> list[str]:
    found: list[str] = []
    change = ChangePassphraseDialog(window.session, window)
    qtbot.addWidget(change)
    found += problems(change, "Change passphrase")
    change.reject()
    controller = SyncController(window.session.store)
    try:
        enrol = EnrolmentDialog(controller, window)
        qtbot.addWidget(enrol)
        found += problems(enrol, "Connect to the service")
        enrol._connect()  # nothing entered: the longest message
        found += problems(enrol, "Connect to the service (message)")
        enrol.reject()
        settings = SyncSettingsPage(controller)
        qtbot.addWidget(settings)
        found += problems(settings, "Sync settings (not connected)")
    finally:
        controller.stop()
    return found


def test_the_measures_window_fits_a_laptop_screen(qtbot, make_window, data_dir) -> None:
    from cse_desktop.crypto.keyfile import KdfParams
    from cse_desktop.services.session import first_run
    from cse_desktop.ui.measures_view import MeasuresDialog

    session = first_run(data_dir, "a long passphrase here", name="Lee Lead",
                        role=Role.TEAM_LEAD, kdf=KdfParams.fast_for_tests())
    dialog = MeasuresDialog(session)
    qtbot.addWidget(dialog)
    found = problems(dialog, "Performance measures")
    dialog.close()
    session.lock()
    assert found == []


def test_the_first_run_page_fits_a_laptop_screen(qtbot, make_window) -> None:
    window = make_window()
    page = window.first_run_page
    assert problems(window, "First run") == []
    page.submit()  # nothing entered: the message line is shown
    assert problems(window, "First run (message)") == []
