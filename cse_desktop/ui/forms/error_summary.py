"""The box at the top of a form listing what must be put right before it can be signed.

It stays compact: the heading and a "Hide list" button on one line, and the list itself in a
short scrolling area (about five lines), so a checklist with 29 problems still leaves the
questions room to be answered.  Every problem is a link to its question.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from cse_desktop.forms import FieldError

from .style import ERROR_TEXT

LIST_LINES = 5  # problems shown before the list scrolls


def top_field(field_id: str) -> str:
    """The question a problem belongs to: "actions[0].what" -> "actions"."""
    return field_id.split("[")[0].split(".")[0]


class ErrorSummary(QFrame):
    """Each problem is a link: following it (mouse or keyboard) goes to the question."""

    go_to_field = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorSummary")
        self.setStyleSheet(
            f"QFrame#errorSummary {{ border: 2px solid {ERROR_TEXT}; border-radius: 4px; }}"
        )
        column = QVBoxLayout(self)
        column.setContentsMargins(10, 6, 10, 6)
        column.setSpacing(4)
        top = QHBoxLayout()
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet(f"color: {ERROR_TEXT}; font-weight: 700;")
        top.addWidget(self.heading, 1)
        self.toggle = QPushButton("Hide list")
        self.toggle.setAutoDefault(False)
        self.toggle.setCheckable(True)
        self.toggle.toggled.connect(self._on_toggled)
        top.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(top)

        self.items = QLabel()
        self.items.setWordWrap(True)
        self.items.setTextFormat(Qt.TextFormat.RichText)
        self.items.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                           | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.items.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.items.linkActivated.connect(lambda link: self.go_to_field.emit(link[len("#"):]))
        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("errorList")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(self.items)
        line = self.items.fontMetrics().lineSpacing()
        self.scroll_area.setMaximumHeight(LIST_LINES * (line + 2) + 8)
        column.addWidget(self.scroll_area)
        self.messages: list[str] = []
        self.hide()

    def _on_toggled(self, hidden: bool) -> None:
        self.scroll_area.setVisible(not hidden)
        self.toggle.setText("Show list" if hidden else "Hide list")
        self.toggle.setAccessibleName(
            "Show the list of problems" if hidden else "Hide the list of problems")

    def is_collapsed(self) -> bool:
        return self.toggle.isChecked()

    def show_errors(self, errors: list[FieldError], heading: str) -> None:
        self.messages = [e.message for e in errors]
        if not errors:
            self.hide()
            return
        self.heading.setText(heading)
        lines = []
        for error in errors:
            target = top_field(error.field_id)
            text = html.escape(error.message)
            lines.append(f'<li><a href="#{html.escape(target)}">{text}</a></li>' if target
                         else f"<li>{text}</li>")
        self.items.setText(f"<ul style='margin: 0; -qt-list-indent: 1'>{''.join(lines)}</ul>")
        self.setAccessibleName(heading)
        self.setAccessibleDescription(" ".join(self.messages))
        self._on_toggled(self.toggle.isChecked())
        self.show()
