"""Adding an addendum to a signed record: why, what, then sign it.

The signed record itself never changes; the addendum is kept with it.  If the practitioner
cancels the signing step, the addendum is kept as a draft to sign later.

    dialog = AddendumDialog(casework, signed_record, parent=window)
    dialog.exec()
    dialog.addendum  # the new addendum (signed, or a draft), or None
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cse_desktop.records import Record
from cse_desktop.services.casework import Casework
from cse_desktop.services.errors import ServiceError, ValidationFailed

from .references import child_name
from .sign_dialog import SignDialog
from .small_form import SmallForm
from .style import ERROR_TEXT, FORM_STYLE
from .timefmt import long_date_time


class AddendumDialog(QDialog):
    def __init__(self, casework: Casework, original: Record, *,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.casework = casework
        self.original = original
        self.addendum: Record | None = None
        self.setWindowTitle("Add an addendum")
        self.setStyleSheet(FORM_STYLE)
        self.setMinimumWidth(560)
        definition = casework.definition("addendum")

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        what = original.record_type.label
        when = (long_date_time(original.signature.signed_at) if original.signature
                else long_date_time(original.updated_at))
        about = QLabel(f"Addendum to the {what.lower()} for {child_name(casework, original)}, "
                       f"signed on {when}.")
        about.setWordWrap(True)
        about.setStyleSheet("font-weight: 600;")
        layout.addWidget(about)
        if definition.description:
            intro = QLabel(definition.description)
            intro.setWordWrap(True)
            layout.addWidget(intro)

        self.form = SmallForm(list(definition.fields()))
        layout.addWidget(self.form, 1)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {ERROR_TEXT}; font-weight: 700;")
        self.message.hide()
        layout.addWidget(self.message)

        buttons = QDialogButtonBox()
        self.sign_button = QPushButton("Save and sign…")
        self.sign_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        buttons.addButton(self.sign_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.sign_button.clicked.connect(self.save_and_sign)
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        chain = self.form.tab_chain()
        if chain:
            QWidget.setTabOrder(chain[-1], self.sign_button)
            chain[0].setFocus()

    def save_and_sign(self) -> None:
        answers = self.form.answers()
        errors = self.casework.check("addendum", answers, complete=True)
        self.form.show_errors(errors)
        if errors:
            return
        if self.addendum is None:
            try:
                self.addendum = self.casework.add_addendum(
                    self.original.id, answers.get("reason", ""), answers.get("text", "")
                )
            except ValidationFailed as exc:
                self.form.show_errors(exc.errors)
                return
            except ServiceError as exc:
                self.message.setText(str(exc))
                self.message.show()
                return
        dialog = SignDialog(self.casework, self.addendum, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.signed_record is not None:
            self.addendum = dialog.signed_record
        # Signed, or kept as a draft addendum to sign later: either way it is saved.
        self.accept()
