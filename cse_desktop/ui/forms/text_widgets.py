"""Editors for typed answers: one line of text, longer text, numbers, and links to records."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QSizePolicy, QWidget

from cse_desktop.forms import Field

from .editor_base import NOT_ANSWERED, FieldEditor

# Describes a linked record for people: (field, record id) -> "Zoë Nowak".
RefDescriber = Callable[[Field, str], str]


class TextEditor(FieldEditor):
    """A single line of text."""

    def _build(self) -> QWidget:
        self._edit = QLineEdit()
        if self.field.max_length:
            self._edit.setMaxLength(self.field.max_length)
        self._edit.textChanged.connect(self._emit_changed)
        return self._edit

    def value(self) -> Any:
        text = self._edit.text()
        return text if text.strip() else None

    def _show_value(self, value: Any) -> None:
        self._edit.setText("" if value is None else str(value))


class GrowingTextEdit(QPlainTextEdit):
    """A text box that grows with what is typed (from 4 to 14 lines), so the practitioner
    sees everything they wrote without a second scroll bar inside the form's."""

    MIN_LINES = 4
    MAX_LINES = 14

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)  # Tab moves on; it does not type a tab
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().documentLayout().documentSizeChanged.connect(self._fit)
        self._fit()

    def _fit(self, *_: Any) -> None:
        line = self.fontMetrics().lineSpacing()
        lines = max(self.MIN_LINES, min(self.MAX_LINES, int(self.document().size().height())))
        margins = self.contentsMargins()
        frame = 2 * self.frameWidth() + margins.top() + margins.bottom()
        self.setFixedHeight(lines * line + frame + 2 * int(self.document().documentMargin()))

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit()


class LongTextEditor(FieldEditor):
    """Several lines of text."""

    def _build(self) -> QWidget:
        self._edit = GrowingTextEdit()
        self._edit.textChanged.connect(self._emit_changed)
        return self._edit

    def value(self) -> Any:
        text = self._edit.toPlainText()
        return text if text.strip() else None

    def _show_value(self, value: Any) -> None:
        self._edit.setPlainText("" if value is None else str(value))


_NUMBER = re.compile(r"-?\d+(\.\d+)?")


class NumberEditor(FieldEditor):
    """A number (whole or decimal)."""

    def _build(self) -> QWidget:
        self._edit = QLineEdit()
        self._edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"-?\d{0,12}(\.\d{0,6})?"))
        )
        self._edit.setMaximumWidth(200)
        self._edit.textChanged.connect(self._emit_changed)
        return self._edit

    def value(self) -> Any:
        text = self._edit.text().strip()
        if not text:
            return None
        if not _NUMBER.fullmatch(text):
            return text  # half-typed, e.g. "-": validation says it must be a number
        return float(text) if "." in text else int(text)

    def _show_value(self, value: Any) -> None:
        empty = value is None or isinstance(value, bool)
        self._edit.setText("" if empty else str(value))


class RefEditor(FieldEditor):
    """A link to another record (the child, the missing episode).  Filled in when the form
    is started and shown read-only: it is not typed."""

    def __init__(self, field: Field, parent: QWidget | None = None, *,
                 compact: bool = False, describe: RefDescriber | None = None) -> None:
        self._describe = describe
        self._value: str | None = None
        super().__init__(field, parent, compact=compact)

    def _build(self) -> QWidget:
        self._edit = QLineEdit()
        self._edit.setReadOnly(True)
        self._edit.setFrame(False)
        self._edit.setStyleSheet("QLineEdit { background: transparent; padding-left: 0; }")
        self._edit.setToolTip("Filled in when the form was started.")
        return self._edit

    def value(self) -> Any:
        return self._value

    def _show_value(self, value: Any) -> None:
        self._value = value if isinstance(value, str) and value else None
        self._edit.setText(self.display_text())

    def display_text(self) -> str:
        if self._value is None:
            return NOT_ANSWERED
        if self._describe is not None:
            try:
                return self._describe(self.field, self._value)
            except Exception:  # a missing record must not stop the form from opening
                return "A record that is not on this device"
        return "Linked record"
