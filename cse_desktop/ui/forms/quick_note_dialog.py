"""A case note in one go (Ctrl+N): when, type of contact, where, what happened, the
child's voice and actions.  "Save as draft" keeps it to finish later; "Save and sign…" signs
it straight away.

    dialog = QuickNoteDialog(casework, child_id, parent=window)
    dialog.saved.connect(...)     # the new case note Record (draft or signed)
    dialog.exec()
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from cse_desktop.records import Record
from cse_desktop.services.casework import Casework
from cse_desktop.services.errors import ServiceError, ValidationFailed
from cse_desktop.services.indexing import child_display_name

from ..sizing import fit_to_screen
from .sign_dialog import SignDialog
from .small_form import SmallForm
from .style import ERROR_TEXT, FORM_STYLE
from .timefmt import utc_iso

FORM_ID = "case_note"


class QuickNoteDialog(QDialog):
    saved = Signal(object)  # the case note Record

    def __init__(self, casework: Casework, child_id: str, *,
                 parent: QWidget | None = None, confirm_discard: bool = True) -> None:
        super().__init__(parent)
        self.casework = casework
        self.child_id = child_id
        self.record: Record | None = None
        self.confirm_discard = confirm_discard
        definition = casework.definition(FORM_ID)
        child = casework.find(child_id)
        name = child_display_name(child.data) if child is not None else "this child"
        self.setWindowTitle(f"Case note — {name}")
        self.setStyleSheet(FORM_STYLE)
        fit_to_screen(self, 720, 680)

        layout = QVBoxLayout(self)
        heading = QLabel(f"New case note for {name}")
        heading.setStyleSheet("font-weight: 700; font-size: 12pt;")
        layout.addWidget(heading)

        fields = [f for f in definition.fields() if f.type != "ref"]
        self.form = SmallForm(fields, clock=casework.session.clock)
        occurred = definition.occurred_at_field
        if occurred and occurred in self.form.editors:
            self.form.editors[occurred].set_value(utc_iso(casework.session.clock.now().replace(second=0)))
        self._initial = self.form.answers()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.form)
        layout.addWidget(scroll, 1)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {ERROR_TEXT}; font-weight: 700;")
        self.message.hide()
        layout.addWidget(self.message)

        buttons = QDialogButtonBox()
        self.draft_button = QPushButton("Save as draft")
        self.sign_button = QPushButton("Save and sign…")
        self.sign_button.setDefault(False)
        self.cancel_button = QPushButton("Cancel")
        buttons.addButton(self.draft_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.sign_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.draft_button.clicked.connect(self.save_draft)
        self.sign_button.clicked.connect(self.save_and_sign)
        self.cancel_button.clicked.connect(self.reject)
        for button in (self.draft_button, self.sign_button, self.cancel_button):
            button.setAutoDefault(False)
        layout.addWidget(buttons)
        hint = QLabel("Ctrl+S saves as a draft. Ctrl+Enter saves and signs.")
        layout.addWidget(hint)
        QShortcut(QKeySequence("Ctrl+S"), self).activated.connect(self.save_draft)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.save_and_sign)

        chain = self.form.tab_chain()
        if chain:
            QWidget.setTabOrder(chain[-1], self.draft_button)
        QWidget.setTabOrder(self.draft_button, self.sign_button)
        QWidget.setTabOrder(self.sign_button, self.cancel_button)
        # Typing starts in the note itself: a first keystroke must not tick a radio button.
        summary_field = casework.definition("case_note").summary_field or "summary"
        first = self.form.editors.get(summary_field)
        (first.focus_target() if first else chain[0]).setFocus()

    def answers(self) -> dict[str, Any]:
        return {**self.form.answers(), "child_id": self.child_id}

    def _problems(self, *, complete: bool) -> bool:
        errors = self.casework.check(FORM_ID, self.answers(), complete=complete)
        self.form.show_errors(errors)
        if errors:
            count = len(errors)
            self._say(f"Please check {count} answer{'s' if count != 1 else ''} "
                      "(shown in red under each question).")
        return bool(errors)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def save_draft(self) -> None:
        if self.record is not None or self._problems(complete=False):
            return
        try:
            self.record = self.casework.start_draft(FORM_ID, self.child_id, self.answers())
        except ServiceError as exc:
            self._say(str(exc))
            return
        self.saved.emit(self.record)
        self.accept()

    def save_and_sign(self) -> None:
        if self._problems(complete=True):
            return
        if self.record is None:
            try:
                self.record = self.casework.quick_note(self.child_id, self.answers())
            except ValidationFailed as exc:
                self.form.show_errors(exc.errors)
                return
            except ServiceError as exc:
                self._say(str(exc))
                return
        dialog = SignDialog(self.casework, self.record, self.record.data, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.signed_record is not None:
            self.record = dialog.signed_record
        # Signed, or saved as a draft to sign later: either way nothing is lost.
        self.saved.emit(self.record)
        self.accept()

    def reject(self) -> None:
        typed = self.form.answers() != self._initial
        if self.record is None and typed and self.confirm_discard:
            answer = QMessageBox.question(
                self, "Discard this note?",
                "You have typed a note that is not saved. Discard it?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()
