"""The editor for a list of entries, such as actions (what, who, by when, done).

Each entry is a row of small editors with a "Remove" button; "Add action" adds a row and
puts the cursor in it.  Everything is reachable with Tab; the form view re-applies the tab
order when rows come and go (``rows_changed``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from cse_desktop.forms import Field

from ..a11y import RelatedLabel
from .editor_base import FieldEditor, answers_of
from .timefmt import long_date

EditorFactory = Callable[..., FieldEditor]


def _shown(field: Field, value: Any) -> str:
    """An item's answer in words (option labels, dates written out)."""
    if field.options and isinstance(value, str):
        return field.option_label(value)
    if field.type == "date" and isinstance(value, str):
        return long_date(value)
    if isinstance(value, list):
        return ", ".join(_shown(field, v) for v in value)
    return str(value)


def singular(label: str) -> str:
    """"Actions" -> "action"; anything else -> "entry"."""
    word = label.strip()
    if " " not in word and word.lower().endswith("s") and not word.lower().endswith("ss"):
        return word[:-1].lower()
    return "entry"


class ListRow(QFrame):
    """One entry: an editor per item field and a Remove button."""

    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, field: Field, factory: EditorFactory, number: int) -> None:
        super().__init__()
        self.setObjectName("listRow")
        self.field = field
        self.editors: dict[str, FieldEditor] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-weight: 600;")
        grid.addWidget(self.heading, 0, 0, 1, 2)
        items = list(field.item_fields)
        lower = QHBoxLayout()
        lower.setSpacing(16)
        for index, sub in enumerate(items):
            editor = factory(sub, compact=True)
            editor.changed.connect(self.changed)
            self.editors[sub.id] = editor
            if index == 0:
                grid.addWidget(editor, 1, 0, 1, 2)
            else:
                lower.addWidget(editor, 2 if sub.type in ("text", "long_text") else 0,
                                Qt.AlignmentFlag.AlignTop)
        lower.addStretch(1)
        self.remove = QPushButton("Remove")
        self.remove.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))
        grid.addLayout(lower, 2, 0)
        grid.addWidget(self.remove, 2, 1, Qt.AlignmentFlag.AlignBottom)
        grid.setColumnStretch(0, 1)
        self.set_number(number)

    def set_number(self, number: int) -> None:
        name = singular(self.field.label)
        self.heading.setText(f"{name.capitalize()} {number}")
        self.setAccessibleName(f"{name.capitalize()} {number}")
        self.remove.setAccessibleName(f"Remove {name} {number}")

    def value(self) -> dict[str, Any]:
        return answers_of(self.editors)

    def set_value(self, item: dict[str, Any]) -> None:
        for item_id, editor in self.editors.items():
            editor.set_value(item.get(item_id))

    def set_read_only(self, read_only: bool) -> None:
        for editor in self.editors.values():
            editor.set_read_only(read_only)
        self.remove.setVisible(not read_only)

    def tab_chain(self) -> list[QWidget]:
        chain: list[QWidget] = []
        for editor in self.editors.values():
            chain.extend(editor.tab_chain())
        if not self.remove.isHidden():
            chain.append(self.remove)
        return chain


class ListEditor(FieldEditor):
    """A list of entries made of the field's item fields."""

    rows_changed = Signal()

    def __init__(self, field: Field, parent: QWidget | None = None, *,
                 compact: bool = False, factory: EditorFactory) -> None:
        self._factory = factory
        self.rows: list[ListRow] = []
        super().__init__(field, parent, compact=compact)

    def _build(self) -> QWidget:
        box = QWidget()
        outer = QVBoxLayout(box)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(6)
        self._rows_box = QVBoxLayout()
        self._rows_box.setSpacing(6)
        outer.addLayout(self._rows_box)
        self._none = RelatedLabel(self._none_text(False))  # "No actions yet.", for "Add"
        self._none.relate_to(self.focus_target)
        outer.addWidget(self._none)
        self._add = QPushButton(f"Add {self._name()}")
        self._add.setAccessibleName(f"Add {self._name()}")
        self._add.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self._add.clicked.connect(self.add_row_by_user)
        outer.addWidget(self._add)
        return box

    def _none_text(self, read_only: bool) -> str:
        name = singular(self.field.label)
        things = f"{name}s" if name != "entry" else "entries"
        return f"No {things} recorded." if read_only else f"No {things} yet."

    def _name(self) -> str:
        name = singular(self.field.label)
        return "an action" if name == "action" else f"a {name}" if name != "entry" else "an entry"

    def focus_widgets(self) -> list[QWidget]:
        return [self._add]

    def tab_chain(self) -> list[QWidget]:
        chain: list[QWidget] = []
        for row in self.rows:
            chain.extend(row.tab_chain())
        if not self._read_only:
            chain.append(self._add)
        return chain or [self._add]

    def focus_target(self) -> QWidget:
        chain = self.tab_chain()
        return chain[0] if chain else self._add

    # -- rows ---------------------------------------------------------------------------------

    def add_row(self, item: dict[str, Any] | None = None) -> ListRow:
        row = ListRow(self.field, self._factory, len(self.rows) + 1)
        if item:
            row.set_value(item)
        row.changed.connect(self._emit_changed)
        row.remove_requested.connect(self.remove_row)
        row.set_read_only(self._read_only)
        self.rows.append(row)
        self._rows_box.addWidget(row)
        row.show()  # now, not at the next event loop turn, so it can take the focus
        self._none.setVisible(False)
        self.rows_changed.emit()
        return row

    def add_row_by_user(self) -> None:
        row = self.add_row()
        chain = row.tab_chain()
        if chain:
            chain[0].setFocus(Qt.FocusReason.OtherFocusReason)
        self._emit_changed()

    def remove_row(self, row: ListRow) -> None:
        index = self.rows.index(row)
        had_content = bool(row.value())
        self.rows.remove(row)
        self._rows_box.removeWidget(row)
        row.hide()
        row.deleteLater()
        for number, other in enumerate(self.rows, start=1):
            other.set_number(number)
        self._none.setVisible(not self.rows)
        self.rows_changed.emit()
        following = self.rows[index] if index < len(self.rows) else None
        target = following.tab_chain()[0] if following else self._add
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        if had_content:
            self._emit_changed()

    def _clear_rows(self) -> None:
        for row in list(self.rows):
            self._rows_box.removeWidget(row)
            row.hide()
            row.deleteLater()
        self.rows.clear()

    # -- values -------------------------------------------------------------------------------

    def value(self) -> Any:
        items = [row.value() for row in self.rows]
        items = [item for item in items if item]
        return items or None

    def _show_value(self, value: Any) -> None:
        self._clear_rows()
        if isinstance(value, list):
            for item in value:
                self.add_row(item if isinstance(item, dict) else {})
        self._none.setVisible(not self.rows)
        self.rows_changed.emit()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for row in self.rows:
            row.set_read_only(read_only)
        self._add.setVisible(not read_only)
        self.help.setVisible(bool(self.field.help) and not self.compact and not read_only)
        self._none.setText(self._none_text(read_only))
        self.rows_changed.emit()

    def display_text(self) -> str:
        items = self.value() or []
        lines = []
        for number, item in enumerate(items, start=1):
            parts = [f"{sub.label}: {_shown(sub, item[sub.id])}"
                     for sub in self.field.item_fields if sub.id in item]
            lines.append(f"{number}. " + "; ".join(parts))
        return "\n".join(lines) if lines else "None"
