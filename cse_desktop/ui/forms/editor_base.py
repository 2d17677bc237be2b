"""The base every field editor shares: label, help, error message, read-only view.

An editor shows one question from a form definition.  It has a visible label (with the word
"(required)" when it must be answered before signing), the help text, the input itself, and
a line under it for a problem with the answer.  In read-only mode (signed records) the input
is replaced by the answer as plain, selectable text, which is easier to read than greyed-out
controls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from cse_desktop.clock import SYSTEM_CLOCK, Clock
from cse_desktop.forms import Field, is_empty

from ..a11y import RelatedLabel

NOT_ANSWERED = "Not answered"


def label_text(label: str, required: bool) -> str:
    return f"{label} (required)" if required else label


def answers_of(editors: Mapping[str, FieldEditor]) -> dict[str, Any]:
    """The answered editors' values by field id (unanswered ones left out)."""
    result = {}
    for field_id, editor in editors.items():
        value = editor.value()
        if not is_empty(value):
            result[field_id] = value
    return result


class FieldEditor(QWidget):
    """One question.  Subclasses build the input and read and write its value."""

    changed = Signal()

    def __init__(self, field: Field, parent: QWidget | None = None, *,
                 compact: bool = False) -> None:
        super().__init__(parent)
        self.field = field
        self.compact = compact
        self.clock: Clock = SYSTEM_CLOCK  # set by create_editor to the session's clock
        self._read_only = False
        self._required = field.required
        self._loading = False
        self.setObjectName(f"field_{field.id}")
        self.setAccessibleName(field.label)
        if field.help:
            self.setAccessibleDescription(field.help)

        self.label = RelatedLabel(label_text(field.label, field.required))
        # Names its control (the buddy), or labels the group of options of a question whose
        # boxes are named by their options.
        self.label.relate_to(self._labelled_group, labels=True)
        self.label.setObjectName("fieldLabel")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)

        # Tied to the control it describes, so a screen reader reads it with that control
        # and not with every other help text of the section when focus enters it.
        self.help = RelatedLabel(field.help)
        self.help.relate_to(self.focus_target)
        self.help.setObjectName("fieldHelp")
        self.help.setWordWrap(True)
        self.help.setTextFormat(Qt.TextFormat.PlainText)
        self.help.setVisible(bool(field.help) and not compact)
        if field.help:
            font = self.help.font()
            font.setPointSizeF(max(7.0, font.pointSizeF() * 0.92))
            self.help.setFont(font)

        self.input = self._build()

        self.read_only_view = QLabel()
        self.read_only_view.setWordWrap(True)
        self.read_only_view.setTextFormat(Qt.TextFormat.PlainText)
        self.read_only_view.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.read_only_view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.read_only_view.setAccessibleName(field.label)
        self.read_only_view.setSizePolicy(QSizePolicy.Policy.Preferred,
                                          QSizePolicy.Policy.Minimum)
        self.read_only_view.hide()

        self.error = RelatedLabel()  # its words are also in the control's description
        self.error.relate_to(self.focus_target)
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.hide()

        self._arrange()

        self.label.setBuddy(self._label_buddy())  # type: ignore[arg-type]  # None: no buddy
        self._describe_inputs()

    # -- for subclasses ---------------------------------------------------------------------

    def _arrange(self) -> None:
        """Lay out label, help, input, read-only text and error (top to bottom)."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        for widget in (self.label, self.help, self.input, self.read_only_view, self.error):
            layout.addWidget(widget)

    def _build(self) -> QWidget:
        raise NotImplementedError

    def value(self) -> Any:
        """The answer as stored in the record (None when unanswered)."""
        raise NotImplementedError

    def _show_value(self, value: Any) -> None:
        raise NotImplementedError

    def display_text(self) -> str:
        """The answer in words, for the read-only view."""
        value = self.value()
        return NOT_ANSWERED if value in (None, "", [], {}) else str(value)

    def focus_widgets(self) -> list[QWidget]:
        """The controls Tab moves through, in order."""
        return [self.input]

    def _label_buddy(self) -> QWidget | None:
        """The control the question label names (its buddy).  None for editors whose
        controls are named by their own options: a label relation would make a screen reader
        say the question instead of the first option."""
        targets = self.focus_widgets()
        return targets[0] if targets else None

    def _labelled_group(self) -> QWidget | None:
        """The group of options the question label labels when it has no buddy."""
        return None

    def _apply_read_only(self, read_only: bool) -> None:
        """Extra work when switching mode (the default swaps input for the text view)."""

    # -- public -----------------------------------------------------------------------------

    def set_value(self, value: Any) -> None:
        """Show an answer without announcing it as a change made by the user."""
        self._loading = True
        try:
            self._show_value(value)
        finally:
            self._loading = False
        if self._read_only:
            self._refresh_read_only_view()

    def _emit_changed(self, *_: Any) -> None:
        if not self._loading and not self._read_only:
            self.changed.emit()

    def is_read_only(self) -> bool:
        return self._read_only

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self.input.setVisible(not read_only)
        self.read_only_view.setVisible(read_only)
        # A signed record reads like a document: questions and answers, no instructions.
        self.help.setVisible(bool(self.field.help) and not self.compact and not read_only)
        self._apply_read_only(read_only)
        if read_only:
            self._refresh_read_only_view()
            self.label.setBuddy(self.read_only_view)
        else:
            self.label.setBuddy(self._label_buddy())  # type: ignore[arg-type]  # None: no buddy
        self.label.setText(label_text(self.field.label, self._required and not read_only))

    def _refresh_read_only_view(self) -> None:
        text = self.display_text()
        self.read_only_view.setText(text)
        self.read_only_view.setStyleSheet(
            "font-style: italic;" if text == NOT_ANSWERED else ""
        )

    def is_required(self) -> bool:
        return self._required

    def set_required(self, required: bool) -> None:
        """Required-ness can change with other answers (``required_if``)."""
        if required == self._required:
            return
        self._required = required
        self.label.setText(label_text(self.field.label, required and not self._read_only))
        self._describe_inputs()

    def set_error(self, message: str | None) -> None:
        """Show (or with None, clear) a problem with this answer under the field."""
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        self._describe_inputs()

    def error_text(self) -> str:
        """The problem shown under the question ("" when there is none)."""
        return self.error.text()

    def focus_target(self) -> QWidget:
        """Where focus goes when the practitioner is sent to this question."""
        if self._read_only:
            return self.read_only_view
        for widget in self.focus_widgets():
            if widget.isVisibleTo(self) and widget.isEnabled():
                return widget
        return self.input

    def tab_chain(self) -> list[QWidget]:
        return [self.read_only_view] if self._read_only else self.focus_widgets()

    def contains_focus(self, widget: QWidget | None) -> bool:
        return widget is not None and (widget is self or self.isAncestorOf(widget))

    def _describe_inputs(self) -> None:
        """Accessible description = help text, plus "Required" and any problem."""
        parts = []
        if self._required:
            parts.append("Required.")
        if self.field.help:
            parts.append(self.field.help)
        if self.error.text():
            parts.append(f"Problem: {self.error.text()}")
        description = " ".join(parts)
        for widget in self.focus_widgets():
            if not widget.accessibleName():
                widget.setAccessibleName(self.field.label)
            if widget.accessibleName() == self.field.label:
                widget.setAccessibleDescription(description)
            else:  # an option or a button: say which question it belongs to
                widget.setAccessibleDescription(f"{self.field.label}. {description}".strip())
