"""The box at the top of a form listing what must be put right before it can be signed."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from cse_desktop.forms import FieldError

from .style import ERROR_TEXT


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
        column.setContentsMargins(10, 8, 10, 8)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet(f"color: {ERROR_TEXT}; font-weight: 700;")
        column.addWidget(self.heading)
        self.items = QLabel()
        self.items.setWordWrap(True)
        self.items.setTextFormat(Qt.TextFormat.RichText)
        self.items.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                           | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.items.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.items.linkActivated.connect(lambda link: self.go_to_field.emit(link[len("#"):]))
        column.addWidget(self.items)
        self.messages: list[str] = []
        self.hide()

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
        self.items.setText(f"<ul style='margin: 0'>{''.join(lines)}</ul>")
        self.setAccessibleName(heading)
        self.setAccessibleDescription(" ".join(self.messages))
        self.show()
