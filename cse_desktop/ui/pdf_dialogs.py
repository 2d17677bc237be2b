"""Printing, saving and checking signed PDFs.

    print_case_summary(session, child_id, parent=window)   # team lead's summary
    print_record(session, record_id, parent=window)         # one record and its addenda
    VerifyPdfDialog(parent=window).exec()                    # "Verify a PDF"

The PDF is made and signed off the UI thread (``PdfJob``) while a progress dialog shows what
is happening; it then stays in memory.  "Print…" rasterises the pages (pypdfium2) onto the
printer chosen in Qt's print dialog; "Save PDF…" first warns that the saved file will be
outside the encrypted store.  Saving and printing are written to the audit log.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QStandardPaths, Qt, QThreadPool, Signal
from PySide6.QtGui import QImage, QPainter, QResizeEvent
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cse_desktop.clock import SYSTEM_CLOCK
from cse_desktop.services import documents
from cse_desktop.services.casework import Casework
from cse_desktop.services.errors import ServiceError
from cse_desktop.ui.sizing import fit_text, grow_with_text

OUTSIDE_WARNING = (
    "The PDF will be saved as an ordinary file, outside the app's encrypted store. Anyone who "
    "can open that folder can read it.\n\nSave it only somewhere your organisation allows for "
    "OFFICIAL-SENSITIVE information, and delete it when it is no longer needed."
)

Work = Callable[..., bytes]  # called with progress=callback, returns the PDF


# -- running off the UI thread ------------------------------------------------------------------


class PdfJobSignals(QObject):
    progress = Signal(int, str)  # percent, what is happening
    finished = Signal(object)  # the signed PDF (bytes)
    failed = Signal(str)  # a plain-English problem


class PdfJob(QRunnable):
    """Runs ``work(progress=...)`` on the thread pool; connect to ``signals`` before start."""

    def __init__(self, work: Work) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.signals = PdfJobSignals()
        self._work = work

    def run(self) -> None:
        try:
            pdf = self._work(progress=self.signals.progress.emit)
        except ServiceError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # reported in the dialog, never lost
            self.signals.failed.emit(f"The PDF could not be made ({type(exc).__name__}: {exc}).")
        else:
            self.signals.finished.emit(pdf)

    def start(self, pool: QThreadPool | None = None) -> None:
        (pool or QThreadPool.globalInstance()).start(self)


# -- saving and printing ------------------------------------------------------------------------


def documents_folder() -> Path:
    """Where a saved PDF goes first: the user's Documents folder (not the program's)."""
    folder = QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(folder) if folder else Path.home()


def friendly_file_name(session: Any, kind: str, child_id: str | None,
                       today: date | None = None) -> str:
    """"ZN return home interview 2026-12-02.pdf": the child's initials (not their name),
    what it is and the day it was made."""
    what = kind.replace("_", " ").replace("-", " ")
    initials = ""
    if child_id:
        child = Casework(session).find(child_id)
        if child is not None:
            initials = "".join(str(child.data.get(key) or "?")[:1].upper()
                               for key in ("first_name", "last_name"))
    day = (today or SYSTEM_CLOCK.today()).isoformat()
    return " ".join(part for part in (initials, what, day) if part) + ".pdf"


def save_pdf_with_warning(parent: QWidget | None, pdf_bytes: bytes, suggested_name: str,
                          on_saved: Callable[[Path], None] | None = None) -> Path | None:
    """Warn that the file will be outside the encrypted store, ask where, write it.
    Returns the path written, or None if the user stopped."""
    answer = QMessageBox.warning(
        parent, "Save outside the encrypted store?", OUTSIDE_WARNING,
        QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel)
    if answer != QMessageBox.StandardButton.Save:
        return None
    chosen, _ = QFileDialog.getSaveFileName(parent, "Save PDF",
                                            str(documents_folder() / suggested_name),
                                            "PDF documents (*.pdf)")
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != ".pdf":
        path = path.with_suffix(path.suffix + ".pdf")
    try:
        path.write_bytes(pdf_bytes)
    except OSError as exc:
        QMessageBox.warning(parent, "Not saved",
                            f"The PDF could not be saved to {path}: {exc.strerror}.")
        return None
    if on_saved is not None:
        on_saved(path)
    return path


def _page_image(page: Any, dpi: int) -> QImage:
    bitmap = page.render(scale=dpi / 72)
    picture = bitmap.to_pil().convert("RGB")
    data = picture.tobytes()
    image = QImage(data, picture.width, picture.height, 3 * picture.width,
                   QImage.Format.Format_RGB888)
    return image.copy()  # own the pixels before ``data`` goes away


def print_pdf_to(printer: QPrinter, pdf_bytes: bytes) -> int:
    """Draw every page (or the range chosen) on the printer; returns pages printed."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf_bytes)
    try:
        count = len(document)
        first = max(1, printer.fromPage() or 1)
        last = min(count, printer.toPage() or count)
        dpi = min(300, max(150, printer.resolution()))
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError("the printer could not be started")
        printed = 0
        try:
            for number in range(first, last + 1):
                if printed:
                    printer.newPage()
                image = _page_image(document[number - 1], dpi)
                target = painter.viewport()
                size = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.setViewport(target.x(), target.y(), size.width(), size.height())
                painter.setWindow(image.rect())
                painter.drawImage(0, 0, image)
                painter.setViewport(target)
                printed += 1
        finally:
            painter.end()
        return printed
    finally:
        document.close()


def print_pdf(parent: QWidget | None, pdf_bytes: bytes,
              on_printed: Callable[[str], None] | None = None) -> bool:
    """Ask for a printer with Qt's print dialog and print.  True if it was sent."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    try:
        print_pdf_to(printer, pdf_bytes)
    except Exception as exc:
        QMessageBox.warning(parent, "Not printed", f"The PDF could not be printed: {exc}")
        return False
    if on_printed is not None:
        on_printed(printer.printerName())
    return True


# -- the document dialog ------------------------------------------------------------------------


class DocumentDialog(QDialog):
    """Makes the PDF in the background with progress, then offers Print… and Save PDF…."""

    def __init__(self, session: Any, work: Work, *, title: str, suggested_name: str,
                 record_id: str | None = None, child_id: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.pdf: bytes | None = None
        self.error: str | None = None
        self._suggested = suggested_name
        self._ids = {"record_id": record_id, "child_id": child_id}
        self.setWindowTitle(title)
        self.message = QLabel("Making the PDF…")
        self.message.setWordWrap(True)
        self.print_button = QPushButton("&Print…")
        self.save_button = QPushButton("&Save PDF…")
        for button in (self.print_button, self.save_button):
            button.setEnabled(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        grow_with_text(self, minimum_width=480)
        self.print_button.clicked.connect(self.print_now)
        self.save_button.clicked.connect(self.save_now)

        self.progress = QProgressDialog("Making the PDF…", "", 0, 100, self)
        self.progress.setCancelButton(None)
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(300)
        self.job = PdfJob(work)
        self.job.signals.progress.connect(self._on_progress)
        self.job.signals.finished.connect(self._on_finished)
        self.job.signals.failed.connect(self._on_failed)
        self.job.start()

    def _on_progress(self, percent: int, text: str) -> None:
        self.progress.setValue(percent)
        self.progress.setLabelText(text)

    def _on_finished(self, pdf: bytes) -> None:
        self.progress.reset()
        self.pdf = pdf
        identity = self.session.signing_identity()
        note = ("" if not identity.self_signed else
                " It is signed with a local identity, not verified by the partnership.")
        self.message.setText(f"The PDF is ready and digitally signed by "
                             f"{self.session.actor.name}.{note}")
        fit_text(self)
        self.print_button.setEnabled(True)
        self.save_button.setEnabled(True)
        self.print_button.setFocus()

    def _on_failed(self, message: str) -> None:
        self.progress.reset()
        self.error = message
        self.message.setText(message)
        fit_text(self)

    def print_now(self) -> bool:
        if self.pdf is None:
            return False
        store, actor = self.session.store, self.session.actor
        return print_pdf(self, self.pdf, on_printed=lambda printer: documents.audit_printed(
            store, actor, printer, **self._ids))

    def save_now(self) -> Path | None:
        if self.pdf is None:
            return None
        store, actor = self.session.store, self.session.actor
        return save_pdf_with_warning(self, self.pdf, self._suggested,
                                     on_saved=lambda path: documents.audit_saved(
                                         store, actor, path, **self._ids))


def print_case_summary(session: Any, child_id: str, parent: QWidget | None = None,
                       *, show: bool = True) -> DocumentDialog:
    """The team lead's signed case summary: made in the background, then print or save."""

    def work(progress: Callable[[int, str], None]) -> bytes:
        return documents.render_case_summary_pdf(
            session.store, session.library, child_id, session.actor,
            session.signing_identity(), session.organisation, progress=progress)

    dialog = DocumentDialog(session, work, title="Case summary",
                            suggested_name=friendly_file_name(session, "case summary",
                                                              child_id),
                            record_id=child_id, child_id=child_id, parent=parent)
    if show:
        dialog.exec()
    return dialog


def _kind_name(form_id: str) -> str:
    return {"return_interview": "return home interview",
            "warning_signs": "warning signs checklist"}.get(form_id, form_id)


def print_record(session: Any, record_id: str, parent: QWidget | None = None,
                 *, show: bool = True) -> DocumentDialog:
    """One record (with its addenda) as a signed PDF: made in the background, then print or
    save."""
    record = Casework(session).find(record_id)
    kind = record.form_id if record is not None else "record"
    child_id = record.child_id if record is not None else None

    def work(progress: Callable[[int, str], None]) -> bytes:
        return documents.render_record_pdf(
            session.store, session.library, record_id, session.actor,
            session.signing_identity(), session.organisation, progress=progress)

    dialog = DocumentDialog(session, work, title="Print record",
                            suggested_name=friendly_file_name(session, _kind_name(kind),
                                                              child_id),
                            record_id=record_id, child_id=child_id, parent=parent)
    if show:
        dialog.exec()
    return dialog


# -- verifying ----------------------------------------------------------------------------------

_COLOURS = {
    documents.Verdict.VALID: "#1b5e20",
    documents.Verdict.UNKNOWN_SIGNER: "#8a5300",
    documents.Verdict.ALTERED: "#b00020",
    documents.Verdict.NOT_SIGNED: "#b00020",
    documents.Verdict.UNREADABLE: "#b00020",
}


class _VerifySignals(QObject):
    done = Signal(object, object)  # the file's Path, its VerificationResult


class _VerifyJob(QRunnable):
    """Reads and checks one file off the UI thread (diff analysis of every revision)."""

    def __init__(self, path: Path, trusted: tuple[bytes, ...]) -> None:
        super().__init__()
        self.path, self.trusted = path, trusted
        self.signals = _VerifySignals()

    def run(self) -> None:
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            result = documents.VerificationResult(
                documents.Verdict.UNREADABLE,
                f"The file could not be opened: {exc.strerror or 'it could not be read'}.")
        else:
            try:
                result = documents.verify_pdf(data, self.trusted)
            except Exception as exc:  # never lost: shown as a file that cannot be checked
                result = documents.VerificationResult(
                    documents.Verdict.UNREADABLE,
                    f"This file could not be checked ({type(exc).__name__}).")
        self.signals.done.emit(self.path, result)


def _breakable(name: str) -> str:
    """A file name that can wrap: a zero-width space after separators and every 24 letters."""
    out, run = [], 0
    for char in name:
        out.append(char)
        run += 1
        if char in "_-. /\\" or run >= 24:
            out.append("\u200b")
            run = 0
    return "".join(out)


class VerifyPdfDialog(QDialog):
    """Choose a PDF; says in plain words whether it is signed, by whom, if it changed, and
    whether the time of signing is proven.

    The partnership's CA (from this device's enrolled identity) is trusted; with a session
    (given, or the parent window's ``session``) the check is written to the audit log.  The
    check runs off the UI thread; ``checked`` is emitted with the result.  Every line wraps
    and the dialog grows with its text.
    """

    checked = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, session: Any = None,
                 trusted_ca_pems: tuple[bytes, ...] | None = None,
                 pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.session = session if session is not None else getattr(parent, "session", None)
        if trusted_ca_pems is None:
            trusted_ca_pems = ()
            if self.session is not None:
                try:
                    trusted_ca_pems = documents.trusted_certificates(
                        self.session.signing_identity())
                except Exception:  # a locked or broken store: check without trust roots
                    trusted_ca_pems = ()
        self.trusted = trusted_ca_pems
        self.pool = pool or QThreadPool.globalInstance()
        self.last_result: documents.VerificationResult | None = None
        self._jobs: list[_VerifyJob] = []
        self.setWindowTitle("Verify a PDF")
        self.setMinimumWidth(560)
        intro = QLabel("Check that a PDF made by this app is digitally signed, has not been "
                       "changed since, and whether its signing time is proven.")
        self.choose_button = QPushButton("&Choose a PDF…")
        self.file_label = QLabel("")
        self.verdict = QLabel("")
        self.verdict.setAccessibleName("Result of the check")
        self.time_note = QLabel("")
        self.time_note.setAccessibleName("Signing time")
        self.details_title = QLabel("<b>Signatures in this file</b>")
        self.details = QLabel("")
        self.details.setStyleSheet("color: #444;")
        self.details.setAccessibleName("Signatures in this file")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        self.labels = (intro, self.file_label, self.verdict, self.time_note,
                       self.details_title, self.details)
        for label in self.labels:
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for widget in (intro, self.choose_button, self.file_label, self.verdict,
                       self.time_note, self.details_title, self.details):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(buttons)
        for label in (self.time_note, self.details_title, self.details):
            label.setVisible(False)
        self.choose_button.clicked.connect(self.choose)

    def choose(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "Choose a PDF to check", "",
                                                "PDF documents (*.pdf)")
        if chosen:
            self.check_file(Path(chosen))

    def check_file(self, path: Path) -> None:
        """Start checking ``path``; the result is shown (and ``checked`` emitted) when done."""
        self.file_label.setText(f"File: {_html(_breakable(path.name))}")
        self.verdict.setText("Checking…")
        for label in (self.time_note, self.details_title, self.details):
            label.setVisible(False)
        self.choose_button.setEnabled(False)
        job = _VerifyJob(path, self.trusted)
        job.setAutoDelete(False)
        self._jobs.append(job)  # kept alive until it reports
        job.signals.done.connect(self._done)  # a slot of this dialog: runs on the UI thread
        self.pool.start(job)
        self._fit()

    def _done(self, path: Path, result: documents.VerificationResult) -> None:
        self._jobs = [j for j in self._jobs if j.path != path]
        self.choose_button.setEnabled(True)
        self.show_result(result)
        if self.session is not None:
            with contextlib.suppress(Exception):  # the check itself must still be shown
                documents.audit_verified(self.session.store, self.session.actor, path.name,
                                         result)
        self.checked.emit(result)

    def show_result(self, result: documents.VerificationResult) -> None:
        self.last_result = result
        colour = _COLOURS[result.verdict]
        self.verdict.setText(f'<span style="color:{colour}; font-weight:bold;">'
                             f"{_html(result.message)}</span>")
        time_lines = [line for line in (result.time_note, *result.record_times) if line]
        self.time_note.setText("<br>".join(_html(line) for line in time_lines))
        self.time_note.setVisible(bool(time_lines))
        self.details.setText("<br>".join(_html(line) for line in result.details))
        self.details_title.setVisible(bool(result.details))
        self.details.setVisible(bool(result.details))
        self._fit()

    def _needed_height(self, width: int) -> int:
        layout = self.layout()
        assert layout is not None  # set in __init__
        layout.activate()
        if layout.hasHeightForWidth():
            return int(layout.totalHeightForWidth(width))
        return int(layout.totalSizeHint().height())

    def _fit(self) -> None:
        """Grow to the wrapped text at the current width: nothing is clipped."""
        width = max(self.width(), self.minimumWidth())
        height = self._needed_height(width)
        self.setMinimumHeight(height)
        if self.height() < height:
            self.resize(width, height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """A narrower window needs more lines: keep the minimum height in step."""
        super().resizeEvent(event)
        height = self._needed_height(event.size().width())
        if height != self.minimumHeight():
            self.setMinimumHeight(height)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
