"""A short form in a dialog: editors for a list of fields, with inline problems.

Used by the addendum and quick-note dialogs; the fields come from the form definition.
"""

from __future__ import annotations

import itertools
from typing import Any

from PySide6.QtWidgets import QVBoxLayout, QWidget

from cse_desktop.clock import SYSTEM_CLOCK, Clock
from cse_desktop.forms import Field, FieldError

from .editor_base import answers_of
from .error_summary import top_field
from .field_widgets import FieldEditor, ListEditor, create_editor


class SmallForm(QWidget):
    def __init__(self, fields: list[Field], parent: QWidget | None = None, *,
                 clock: Clock = SYSTEM_CLOCK) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        self.editors: dict[str, FieldEditor] = {}
        for field in fields:
            editor = create_editor(field, clock=clock)
            self.editors[field.id] = editor
            layout.addWidget(editor)
            if isinstance(editor, ListEditor):
                editor.rows_changed.connect(self.apply_tab_order)
        layout.addStretch(1)
        self.apply_tab_order()

    def answers(self) -> dict[str, Any]:
        return answers_of(self.editors)

    def has_input(self) -> bool:
        return bool(self.answers())

    def show_errors(self, errors: list[FieldError], *, focus: bool = True) -> None:
        """Problems under their questions; with ``focus``, the cursor goes to the first."""
        by_field: dict[str, list[str]] = {}
        for error in errors:
            by_field.setdefault(top_field(error.field_id), []).append(error.message)
        for field_id, editor in self.editors.items():
            messages = by_field.get(field_id)
            editor.set_error("\n".join(messages) if messages else None)
        for field_id, editor in self.editors.items():
            if focus and field_id in by_field:
                editor.focus_target().setFocus()
                break

    def tab_chain(self) -> list[QWidget]:
        chain: list[QWidget] = []
        for editor in self.editors.values():
            chain.extend(editor.tab_chain())
        return chain

    def apply_tab_order(self) -> None:
        chain = self.tab_chain()
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
