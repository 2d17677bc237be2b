"""Editors for questions with a fixed set of answers: choice, multi-choice, yes/no, indicator.

All options are visible at once (radio buttons or tick boxes) so nothing is hidden in a
drop-down; only very long lists use a drop-down.

Keyboard: Tab stops once in a set of radio buttons (on the chosen answer) and the arrow keys
move between them; Tab stops on every tick box and the arrow keys move between tick boxes
too.  Tick boxes are deliberately *not* in a ``QButtonGroup``: Qt 6 treats every button of a
group, exclusive or not, as one Tab stop and then only moves between radio buttons with the
arrows, which left all but the first tick box of a question out of keyboard reach.

Screen readers: each button's name is its option ("Sexual exploitation"); the question is
the accessible name of the surrounding group, and the question label is not a buddy of the
first button (a label relation would replace that button's name with the question).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from cse_desktop.forms import Option

from .editor_base import NOT_ANSWERED, FieldEditor

MAX_RADIO_OPTIONS = 8
NONE_OPTION_VALUES = ("none", "none_identified")


def _columns(options: tuple[Option, ...]) -> int:
    longest = max((len(o.label) for o in options), default=0)
    if len(options) <= 3 and longest <= 24:
        return len(options) or 1
    if longest > 34:
        return 1 if longest > 60 else 2
    return 3 if len(options) > 4 else 2


_PREVIOUS_KEYS = (Qt.Key.Key_Up, Qt.Key.Key_Left)
_NEXT_KEYS = (Qt.Key.Key_Down, Qt.Key.Key_Right)


class _OptionButtons(QGroupBox):
    """Radio buttons or tick boxes for a set of options, laid out in a grid.

    A frameless group box without a title: to assistive technology it is a group (role
    "panel"/grouping) whose name is the question, around buttons named by their options.
    """

    toggled = Signal(QAbstractButton, bool)  # a button, and whether it is now ticked

    def __init__(self, options: tuple[Option, ...], *, exclusive: bool,
                 columns: int | None = None, question: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFlat(True)
        self.setStyleSheet("QGroupBox { border: none; margin: 0px; padding: 0px; }")
        self.setAccessibleName(question)
        self.options = options
        self.exclusive = exclusive
        # Radio buttons share an exclusive group (one answer, arrow keys choose); tick boxes
        # stay independent so that each one is a Tab stop (see the module docstring).
        self.group: QButtonGroup | None = QButtonGroup(self) if exclusive else None
        if self.group is not None:
            self.group.setExclusive(True)
            self.group.buttonToggled.connect(self.toggled)
        self.buttons: dict[str, QAbstractButton] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(4)
        cols = columns or _columns(options)
        for index, option in enumerate(options):
            button: QAbstractButton = (QRadioButton if exclusive else QCheckBox)(option.label)
            button.setAccessibleName(option.label)
            if self.group is not None:
                self.group.addButton(button, index)
            else:
                button.toggled.connect(
                    lambda checked, b=button: self.toggled.emit(b, checked))
            button.installEventFilter(self)
            self.buttons[option.value] = button
            grid.addWidget(button, index // cols, index % cols)
        if exclusive:
            self.toggled.connect(self._tab_to_checked)
            self._tab_to_checked()
        if cols >= len(options):  # one short row: keep the answers together on the left
            grid.setColumnStretch(cols, 1)
        else:
            for col in range(cols):
                grid.setColumnStretch(col, 1)

    def _tab_to_checked(self, *_: object) -> None:
        """Tab stops once in a set of radio buttons, on the chosen answer (the first when
        none is chosen); the arrow keys move between the answers."""
        buttons = list(self.buttons.values())
        checked = [b for b in buttons if b.isChecked()]
        stop = checked[0] if checked else buttons[0] if buttons else None
        for button in buttons:
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus if button is stop
                                  else Qt.FocusPolicy.ClickFocus)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down/Right and Up/Left move through the options in reading order, whatever the
        grid: between tick boxes (focus only, stopping at the ends), and between radio
        buttons choosing the one reached (wrapping round, as radio groups do).  Qt's own
        handling looks for a button geometrically below or beside, so Down did nothing in
        a one-row Yes / No / Not known answer."""
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            key = event.key()
            if key in _PREVIOUS_KEYS or key in _NEXT_KEYS:
                buttons = [b for b in self.buttons.values()
                           if b.isVisibleTo(self) and b.isEnabled()]
                if watched in buttons:
                    index = buttons.index(watched) + (1 if key in _NEXT_KEYS else -1)
                    if self.exclusive:
                        target = buttons[index % len(buttons)]
                        target.setFocus(Qt.FocusReason.TabFocusReason)
                        target.setChecked(True)
                    elif 0 <= index < len(buttons):
                        buttons[index].setFocus(Qt.FocusReason.TabFocusReason)
                    return True
        return super().eventFilter(watched, event)

    def checked_values(self) -> list[str]:
        return [value for value, button in self.buttons.items() if button.isChecked()]

    def set_checked(self, values: list[str]) -> None:
        if self.group is not None:
            self.group.setExclusive(False)  # so that every button can be unticked
        for value, button in self.buttons.items():
            button.setChecked(value in values)
        if self.group is not None:
            self.group.setExclusive(True)
            self._tab_to_checked()

    def ordered(self) -> list[QWidget]:
        return list(self.buttons.values())


class _ClearButton(QPushButton):
    def __init__(self, label: str) -> None:
        super().__init__("Clear answer")
        self.setAccessibleName(f"Clear the answer to {label}")
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)


class ChoiceEditor(FieldEditor):
    """One answer from a list: radio buttons (a drop-down for very long lists)."""

    def _build(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self._combo: QComboBox | None = None
        self._buttons: _OptionButtons | None = None
        if len(self.field.options) > MAX_RADIO_OPTIONS:
            self._combo = QComboBox()
            self._combo.addItem("Choose…", None)
            for option in self.field.options:
                self._combo.addItem(option.label, option.value)
            self._combo.currentIndexChanged.connect(self._on_changed)
            row.addWidget(self._combo)
            row.addStretch(1)
        else:
            self._buttons = _OptionButtons(self.field.options, exclusive=True,
                                           question=self.field.label)
            self._buttons.toggled.connect(self._on_toggled)
            row.addWidget(self._buttons, 1)
        self._clear = _ClearButton(self.field.label)
        self._clear.clicked.connect(self._on_clear)
        self._clear.setVisible(False)
        row.addWidget(self._clear, 0, Qt.AlignmentFlag.AlignTop)
        return box

    def _label_buddy(self) -> QWidget | None:
        return self._combo  # radio buttons are named by their options

    def _labelled_group(self) -> QWidget | None:
        return self._buttons  # the question labels the group of options

    def focus_widgets(self) -> list[QWidget]:
        first: list[QWidget] = (
            [self._combo] if self._combo is not None else self._buttons.ordered()  # type: ignore[union-attr]
        )
        return [*first, self._clear]

    def value(self) -> Any:
        if self._combo is not None:
            return self._combo.currentData()
        values = self._buttons.checked_values()  # type: ignore[union-attr]
        return values[0] if values else None

    def _show_value(self, value: Any) -> None:
        if self._combo is not None:
            index = self._combo.findData(value) if value is not None else 0
            self._combo.setCurrentIndex(max(index, 0))
        else:
            self._buttons.set_checked([value] if value is not None else [])  # type: ignore[union-attr]
        self._update_clear()

    def display_text(self) -> str:
        value = self.value()
        return NOT_ANSWERED if value is None else self.field.option_label(value)

    def _on_toggled(self, _button: QAbstractButton, checked: bool) -> None:
        if checked:
            self._on_changed()

    def _on_changed(self, *_: Any) -> None:
        self._update_clear()
        self._emit_changed()

    def _on_clear(self) -> None:
        target = self.focus_widgets()[0]
        self._show_value(None)
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        self._emit_changed()

    def _update_clear(self) -> None:
        self._clear.setVisible(self.value() is not None and not self._read_only
                               and not self._required and self._combo is None)

    def _apply_read_only(self, read_only: bool) -> None:
        self._update_clear()

    def set_required(self, required: bool) -> None:
        super().set_required(required)
        self._update_clear()


class YesNoEditor(ChoiceEditor):
    """Yes / No radio buttons (no answer until one is chosen)."""


class MultiChoiceEditor(FieldEditor):
    """Any number of answers from a list, as tick boxes.  An answer like "None identified"
    unticks the others, and ticking another option unticks it."""

    def _build(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self._buttons = _OptionButtons(self.field.options, exclusive=False,
                                       question=self.field.label)
        self._buttons.toggled.connect(self._on_toggled)
        column.addWidget(self._buttons)
        # Says what a "None identified" tick took away, so nothing is unticked silently.
        self.notice = QLabel()
        self.notice.setObjectName("fieldNotice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        column.addWidget(self.notice)
        return box

    def _label_buddy(self) -> QWidget | None:
        return None  # tick boxes are named by their options; the group by the question

    def _labelled_group(self) -> QWidget | None:
        return self._buttons  # the question labels the group of options

    def focus_widgets(self) -> list[QWidget]:
        return self._buttons.ordered()

    def value(self) -> Any:
        return self._buttons.checked_values() or None

    def _show_value(self, value: Any) -> None:
        values = [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
        self._buttons.set_checked(values)

    def display_text(self) -> str:
        values = self._buttons.checked_values()
        if not values:
            return NOT_ANSWERED
        return "\n".join(f"• {self.field.option_label(v)}" for v in values)

    def _on_toggled(self, button: QAbstractButton, checked: bool) -> None:
        if self._loading:
            return
        if checked:
            value = next(v for v, b in self._buttons.buttons.items() if b is button)
            others = self._buttons.checked_values()
            if value in NONE_OPTION_VALUES:
                keep = [value]
            else:
                keep = [v for v in others if v not in NONE_OPTION_VALUES]
            if keep != others:
                self._loading = True
                try:
                    self._buttons.set_checked(keep)
                finally:
                    self._loading = False
                dropped = [self.field.option_label(v) for v in others if v not in keep]
                chosen = self.field.option_label(value)
                if value in NONE_OPTION_VALUES:
                    note = (f"Ticking '{chosen}' unticked: {', '.join(dropped)}. Tick them "
                            "again if they apply.")
                else:
                    note = f"'{', '.join(dropped)}' was unticked because you ticked '{chosen}'."
                self.notice.setText(note)
                self.notice.show()
                self._emit_changed()
                return
        self.notice.hide()
        self._emit_changed()


class IndicatorEditor(FieldEditor):
    """A warning sign: Yes / No / Not known, with an optional note, on one row."""

    def _build(self) -> QWidget:
        # The answer buttons with the note under them, so the note keeps a usable width
        # even on a narrow laptop screen.
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        self._buttons = _OptionButtons(self.field.options, exclusive=True,
                                       columns=len(self.field.options),
                                       question=self.field.label)
        self._buttons.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self._buttons.toggled.connect(self._on_toggled)
        column.addWidget(self._buttons)
        self._note = QLineEdit()
        self._note.setPlaceholderText("Note (optional)")
        self._note.setAccessibleName(f"Note on {self.field.label}")
        self._note.textChanged.connect(self._emit_changed)
        column.addWidget(self._note)
        return box

    def _arrange(self) -> None:
        """The question on the left, the answer on the right, so a long checklist scans
        quickly."""
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 2, 0, 2)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(2)
        grid.addWidget(self.label, 0, 0)
        grid.addWidget(self.help, 1, 0)
        grid.addWidget(self.input, 0, 1, 2, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.read_only_view, 0, 1, 2, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.error, 2, 0, 1, 2)
        grid.setColumnStretch(0, 4)
        grid.setColumnStretch(1, 5)
        self.label.setStyleSheet("font-weight: normal;")

    def _label_buddy(self) -> QWidget | None:
        return None  # Yes / No / Not known are named by themselves; the group by the question

    def _labelled_group(self) -> QWidget | None:
        return self._buttons  # the question labels the group of options

    def focus_widgets(self) -> list[QWidget]:
        return [*self._buttons.ordered(), self._note]

    def value(self) -> Any:
        answers = self._buttons.checked_values()
        note = self._note.text()
        if not answers and not note.strip():
            return None
        result: dict[str, Any] = {}
        if answers:
            result["answer"] = answers[0]
        if note.strip():
            result["note"] = note
        return result

    def _show_value(self, value: Any) -> None:
        answer = value.get("answer") if isinstance(value, dict) else None
        note = value.get("note") if isinstance(value, dict) else None
        self._buttons.set_checked([answer] if isinstance(answer, str) else [])
        self._note.setText(note if isinstance(note, str) else "")

    def display_text(self) -> str:
        value = self.value() or {}
        answer = value.get("answer")
        text = self.field.option_label(answer) if answer else NOT_ANSWERED
        if value.get("note"):
            text += f" — note: {value['note']}"
        return text

    def _on_toggled(self, _button: QAbstractButton, checked: bool) -> None:
        if checked:
            self._emit_changed()
