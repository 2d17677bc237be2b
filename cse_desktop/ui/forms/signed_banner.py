"""What a signed record shows: who signed it and when, and its addenda."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cse_desktop.records import Record

from .style import GREEN, banner_css
from .timefmt import long_date_time


def signed_text(record: Record) -> str:
    sig = record.signature
    if sig is None:
        return "Signed. Signed records cannot be changed — add an addendum to correct or add to it."
    return (
        f"Signed by {sig.signed_by} ({sig.signer_role}) on {long_date_time(sig.signed_at)}. "
        "Signed records cannot be changed — add an addendum to correct or add to it."
    )


def _selectable(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                  | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    return label


class SignedBanner(QFrame):
    """"Signed by NAME (ROLE) on DATE ..." with the drawn signature and "Add addendum…"."""

    add_addendum = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signedBanner")
        self.setStyleSheet(f"QFrame#signedBanner {{ {banner_css(GREEN)} }}")
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 10, 6)
        self.text = _selectable("")
        self.text.setStyleSheet("font-weight: 600;")
        self.image = QLabel()
        self.image.setAccessibleName("Drawn signature")
        self.button = QPushButton("Add addendum…")
        self.button.setToolTip("Add a correction or addition. The signed record stays as it is.")
        self.button.clicked.connect(self.add_addendum)
        row.addWidget(self.text, 1)
        row.addWidget(self.image)
        row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)

    def show_record(self, record: Record) -> None:
        self.text.setText(signed_text(record))
        self.setAccessibleName(signed_text(record))
        png = record.signature.image_png if record.signature else None
        pixmap = QPixmap()
        if png and pixmap.loadFromData(png):
            smooth = Qt.TransformationMode.SmoothTransformation
            self.image.setPixmap(pixmap.scaledToHeight(44, smooth))
            self.image.show()
        else:
            self.image.clear()
            self.image.hide()


class AddendaPanel(QGroupBox):
    """The addenda of a signed record, oldest first.  Drafts can be signed from here."""

    sign_requested = Signal(object)  # the draft addendum Record

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Addenda (corrections and additions)", parent)
        self.setObjectName("formSection")
        self._layout = QVBoxLayout(self)
        self._layout.setSpacing(10)
        self.sign_buttons: list[QPushButton] = []
        self.headings: list[str] = []

    def show_addenda(self, addenda: list[Record]) -> None:
        while (item := self._layout.takeAt(0)) is not None:  # None once it is empty
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
        self.sign_buttons = []
        self.headings = []
        if not addenda:
            self._layout.addWidget(_selectable("No addenda have been added."))
        for number, addendum in enumerate(addenda, start=1):
            self._layout.addWidget(self._entry(number, addendum))

    def _entry(self, number: int, addendum: Record) -> QWidget:
        box = QFrame()
        box.setObjectName("listRow")
        column = QVBoxLayout(box)
        sig = addendum.signature
        if sig is not None:
            status = (f"Addendum {number} — signed by {sig.signed_by} ({sig.signer_role}) "
                      f"on {long_date_time(sig.signed_at)}")
        else:
            status = (f"Addendum {number} — written by {addendum.author} on "
                      f"{long_date_time(addendum.created_at)}, NOT SIGNED YET")
        self.headings.append(status)
        heading = _selectable(status)
        heading.setStyleSheet("font-weight: 600;")
        column.addWidget(heading)
        column.addWidget(_selectable(f"Why: {addendum.data.get('reason', '')}"))
        column.addWidget(_selectable(str(addendum.data.get("text", ""))))
        if sig is None:
            button = QPushButton(f"Sign addendum {number}…")
            button.clicked.connect(lambda: self.sign_requested.emit(addendum))
            self.sign_buttons.append(button)
            column.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        return box
