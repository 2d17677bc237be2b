"""The Qt side: background rendering with progress, saving with a warning, printing,
and the "Verify a PDF" dialog.  Offscreen, synthetic data only."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

import pypdf
import pytest
from pdf_synthetic import Casework
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QLabel, QMessageBox

from cse_desktop.services import documents
from cse_desktop.services.errors import PermissionDenied
from cse_desktop.ui import pdf_dialogs


@pytest.fixture
def session(work: Casework, local_identity) -> SimpleNamespace:
    return SimpleNamespace(store=work.store, library=work.library, actor=work.lead,
                           clock=work.store.clock, organisation=None,
                           signing_identity=lambda: local_identity)


@pytest.fixture
def pdf(work: Casework, local_identity) -> bytes:
    return documents.render_record_pdf(work.store, work.library, work.note.id, work.worker,
                                       local_identity, None)


def _accept_save(monkeypatch: pytest.MonkeyPatch, target: Path) -> list[str]:
    warnings: list[str] = []

    def warning(parent, title, text, *args):
        warnings.append(text)
        return QMessageBox.StandardButton.Save

    monkeypatch.setattr(QMessageBox, "warning", warning)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *args, **kwargs: (str(target), "PDF documents (*.pdf)"))
    return warnings


def test_pdf_job_renders_off_the_ui_thread_with_progress(qtbot, work: Casework,
                                                         session) -> None:
    def work_fn(progress):
        return documents.render_case_summary_pdf(work.store, work.library, work.child.id,
                                                 work.lead, session.signing_identity(), None,
                                                 progress=progress)

    job = pdf_dialogs.PdfJob(work_fn)
    seen: list[int] = []
    job.signals.progress.connect(lambda percent, text: seen.append(percent))
    with qtbot.waitSignal(job.signals.finished, timeout=20_000) as finished:
        job.start()
    assert finished.args[0].startswith(b"%PDF")
    qtbot.waitUntil(lambda: bool(seen) and seen[-1] == 100)
    assert seen == sorted(seen)


def test_pdf_job_reports_problems_in_plain_words(qtbot) -> None:
    def refuse(progress):
        raise PermissionDenied("Only a team lead can print a case summary.")

    job = pdf_dialogs.PdfJob(refuse)
    with qtbot.waitSignal(job.signals.failed, timeout=5_000) as failed:
        job.start()
    assert failed.args == ["Only a team lead can print a case summary."]


def test_save_warns_the_file_is_outside_the_encrypted_store(qtbot, tmp_path: Path, pdf: bytes,
                                                            monkeypatch) -> None:
    warnings = _accept_save(monkeypatch, tmp_path / "note")
    saved: list[Path] = []
    path = pdf_dialogs.save_pdf_with_warning(None, pdf, "case_note-1.pdf", on_saved=saved.append)
    assert path == tmp_path / "note.pdf"
    assert path.read_bytes() == pdf and saved == [path]
    assert "outside the app's encrypted store" in warnings[0]


def test_save_can_be_cancelled_at_the_warning(qtbot, tmp_path: Path, pdf: bytes,
                                              monkeypatch) -> None:
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda *args: QMessageBox.StandardButton.Cancel)
    chosen: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: chosen.append("x"))
    assert pdf_dialogs.save_pdf_with_warning(None, pdf, "x.pdf") is None
    assert chosen == [] and list(tmp_path.glob("*.pdf")) == []


def test_printing_draws_every_page(qtbot, tmp_path: Path, work: Casework, local_identity,
                                   monkeypatch) -> None:
    summary = documents.render_case_summary_pdf(work.store, work.library, work.child.id,
                                                work.lead, local_identity, None)
    pages = len(pypdf.PdfReader(io.BytesIO(summary)).pages)
    out = tmp_path / "printed.pdf"

    def accept(dialog):
        dialog.printer().setOutputFileName(str(out))  # a "printer" that writes a file
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    printed: list[str] = []
    assert pdf_dialogs.print_pdf(None, summary, on_printed=printed.append)
    assert len(printed) == 1
    assert len(pypdf.PdfReader(out).pages) == pages


def test_print_to_printer_directly(qtbot, tmp_path: Path, pdf: bytes) -> None:
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFileName(str(tmp_path / "direct.pdf"))
    assert pdf_dialogs.print_pdf_to(printer, pdf) == len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _check(qtbot, dialog: pdf_dialogs.VerifyPdfDialog, path: Path) -> documents.VerificationResult:
    with qtbot.waitSignal(dialog.checked, timeout=60_000) as blocker:
        dialog.check_file(path)
    return blocker.args[0]


def test_verify_dialog_says_what_it_found_and_audits(qtbot, tmp_path: Path, pdf: bytes,
                                                     session, work: Casework) -> None:
    dialog = pdf_dialogs.VerifyPdfDialog(session=session)
    qtbot.addWidget(dialog)
    good = tmp_path / "note.pdf"
    good.write_bytes(pdf)
    result = _check(qtbot, dialog, good)
    assert result.verdict is documents.Verdict.UNKNOWN_SIGNER
    assert "Signed by an unknown signer (local identity" in dialog.verdict.text()
    assert "not yet proven" in dialog.time_note.text()
    changed = bytearray(pdf)
    position = pdf.index(b"stream", 200) + 40
    changed[position] ^= 1
    bad = tmp_path / "changed.pdf"
    bad.write_bytes(bytes(changed))
    assert _check(qtbot, dialog, bad).verdict is documents.Verdict.ALTERED
    assert "ALTERED" in dialog.verdict.text()
    assert _check(qtbot, dialog, tmp_path / "gone.pdf").verdict is \
        documents.Verdict.UNREADABLE
    assert "could not be opened" in dialog.verdict.text()
    audited = [e for e in work.store.audit_entries() if e.action == "verify"]
    assert len(audited) == 3 and "changed.pdf: altered" in audited[1].detail


def _label_problems(dialog: QDialog) -> list[str]:
    """Labels whose wrapped text does not fit the room they were given, or that stick out."""
    problems = []
    inside = dialog.contentsRect()
    for label in dialog.findChildren(QLabel):
        if not label.isVisible() or not label.text():
            continue
        needed = label.heightForWidth(label.width()) if label.wordWrap() else \
            label.sizeHint().height()
        if label.height() < needed:
            problems.append(f"{label.text()[:40]!r}: {label.height()} < {needed} px high")
        if label.minimumSizeHint().width() > label.width():
            problems.append(f"{label.text()[:40]!r}: wider than its room")
        where = label.geometry()
        if where.right() > inside.right() or where.bottom() > inside.bottom():
            problems.append(f"{label.text()[:40]!r}: outside the dialog")
    return problems


def test_verify_dialog_shows_every_line_in_full(qtbot, tmp_path: Path, work: Casework,
                                                partnership, ca_identity) -> None:
    """A long verdict (a forged, countersigned PDF) wraps, and the dialog grows to fit it;
    no pyHanko status codes or certificate ids are shown."""
    from forgery import cover_page, sign_as

    identity, _ = ca_identity
    signed = documents.render_record_pdf(work.store, work.library, work.note.id, work.worker,
                                         identity, None)
    forged = tmp_path / ("a-very-long-file-name-without-many-breaks_" * 3 + ".pdf")
    forged.write_bytes(sign_as(cover_page(signed), partnership.issue("Bob Mallory")))
    dialog = pdf_dialogs.VerifyPdfDialog(trusted_ca_pems=(partnership.pem,))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    result = _check(qtbot, dialog, forged)
    assert result.verdict is documents.Verdict.ALTERED
    qtbot.wait(50)  # let the layout settle
    assert _label_problems(dialog) == []
    shown = " ".join(label.text() for label in dialog.findChildren(QLabel))
    for jargon in ("INTACT", "UNTOUCHED", "TRUSTED", "UID=", "0.9.2342"):
        assert jargon not in shown
    assert "Bob Mallory" in dialog.verdict.text()
    dialog.resize(dialog.minimumWidth(), dialog.height())  # narrowest: still fits
    qtbot.wait(50)
    assert _label_problems(dialog) == []


def test_print_case_summary_dialog(qtbot, tmp_path: Path, session, work: Casework,
                                   monkeypatch) -> None:
    dialog = pdf_dialogs.print_case_summary(session, work.child.id, show=False)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.pdf is not None or dialog.error is not None, timeout=20_000)
    assert dialog.error is None
    assert dialog.save_button.isEnabled() and dialog.print_button.isEnabled()
    assert "local identity" in dialog.message.text()
    _accept_save(monkeypatch, tmp_path / "summary.pdf")
    path = dialog.save_now()
    assert path is not None and path.read_bytes().startswith(b"%PDF")
    exports = [e for e in work.store.audit_entries(child_id=work.child.id)
               if e.action == "export"]
    assert exports and str(path) in exports[-1].detail
    assert "case-summary-" in documents.suggested_file_name("case-summary", work.child.id)
    assert "Zoë" not in documents.suggested_file_name("case-summary", work.child.id)


def test_print_record_dialog_reports_refusal(qtbot, session, work: Casework, library) -> None:
    from pdf_synthetic import _record

    data = dict(work.note.data, sensitive="yes")
    note = work.store.add(_record(library, "case_note", data, work.worker, work.child.id,
                                  work.note.created_at), work.worker)
    other = SimpleNamespace(**{**vars(session), "actor": SimpleNamespace(
        name="Zoltan Kovács", is_team_lead=False, user_id="u-z", device_id="d",
        role=work.worker.role)})
    dialog = pdf_dialogs.print_record(other, note.id, show=False)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.error is not None, timeout=10_000)
    assert "marked sensitive" in dialog.message.text()
    assert not dialog.print_button.isEnabled()
