"""Tick boxes and radio buttons by keyboard and for screen readers (real key presses).

The old test walked ``nextInFocusChain()``, which lists every tick box even when Tab does
not stop on them; these press Tab and the arrow keys as a practitioner does.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QCheckBox, QLineEdit, QRadioButton, QVBoxLayout, QWidget

from cse_desktop.forms.loader import load_definition
from cse_desktop.paths import repo_root
from cse_desktop.ui.forms.field_widgets import create_editor


def _field(form: str, field_id: str) -> Any:
    definition = load_definition(repo_root() / "forms" / f"{form}.v1.json")
    return next(f for s in definition.sections for f in s.fields if f.id == field_id)


def _page(qtbot: Any, *editors: QWidget) -> tuple[QWidget, QLineEdit, QLineEdit]:
    page = QWidget()
    layout = QVBoxLayout(page)
    before, after = QLineEdit(), QLineEdit()
    before.setAccessibleName("before")
    after.setAccessibleName("after")
    layout.addWidget(before)
    for editor in editors:
        layout.addWidget(editor)
    layout.addWidget(after)
    qtbot.addWidget(page)
    page.show()
    page.activateWindow()
    qtbot.waitExposed(page)
    before.setFocus()
    _keep.append(page)
    return page, before, after


_keep: list[QWidget] = []  # the pages stay alive until the test module ends


def _press(qtbot: Any, key: Qt.Key) -> QWidget:
    """Press ``key`` where the keyboard focus is (in the page being tested)."""
    page = _keep[-1]
    qtbot.keyClick(page.focusWidget(), key)
    return page.focusWidget()


def test_tab_stops_on_every_tick_box_of_a_question(qtbot: Any) -> None:
    editor = create_editor(_field("return_interview", "risk_indicators"))
    _page_widget, _before, after = _page(qtbot, editor)
    boxes = editor.findChildren(QCheckBox)
    assert len(boxes) == 8
    reached = [_press(qtbot, Qt.Key.Key_Tab) for _ in range(len(boxes) + 1)]
    assert reached == [*boxes, after]  # each box in turn, then out of the question
    # Shift+Tab comes back through them too.
    assert _press(qtbot, Qt.Key.Key_Backtab) is boxes[-1]


def test_arrow_keys_move_between_tick_boxes_without_ticking(qtbot: Any) -> None:
    editor = create_editor(_field("return_interview", "travel"))
    _page_widget, *_ = _page(qtbot, editor)
    boxes = editor.findChildren(QCheckBox)
    _press(qtbot, Qt.Key.Key_Tab)
    assert _keep[-1].focusWidget() is boxes[0]
    assert _press(qtbot, Qt.Key.Key_Down) is boxes[1]
    assert _press(qtbot, Qt.Key.Key_Right) is boxes[2]
    assert _press(qtbot, Qt.Key.Key_Up) is boxes[1]
    assert not any(box.isChecked() for box in boxes)
    _press(qtbot, Qt.Key.Key_Space)
    assert boxes[1].isChecked() and editor.value() == [editor.field.options[1].value]


def test_radio_buttons_are_one_tab_stop_and_every_arrow_chooses(qtbot: Any) -> None:
    indicator = create_editor(_field("warning_signs", "missing_overnight"))
    _page_widget, _before, after = _page(qtbot, indicator)
    radios = indicator.findChildren(QRadioButton)
    assert [r.text() for r in radios] == ["Yes", "No", "Not known"]
    assert _press(qtbot, Qt.Key.Key_Tab) is radios[0]
    # One row of answers: Down and Right both go on (Qt's own handling looked for a
    # button below, so Down did nothing here).
    assert _press(qtbot, Qt.Key.Key_Down) is radios[1] and radios[1].isChecked()
    assert _press(qtbot, Qt.Key.Key_Right) is radios[2] and radios[2].isChecked()
    assert _press(qtbot, Qt.Key.Key_Down) is radios[0]  # round again, as radio groups do
    assert indicator.value() == {"answer": "yes"}
    note = _press(qtbot, Qt.Key.Key_Tab)
    assert isinstance(note, QLineEdit) and note is not after
    assert _press(qtbot, Qt.Key.Key_Tab) is after


def test_every_rhi_tick_box_is_reached_by_tab(qtbot: Any) -> None:
    definition = load_definition(repo_root() / "forms" / "return_interview.v1.json")
    fields = [f for s in definition.sections for f in s.fields if f.type == "multi_choice"]
    editors = [create_editor(f) for f in fields]
    _page_widget, _before, after = _page(qtbot, *editors)
    boxes = [b for e in editors for b in e.findChildren(QCheckBox)]
    assert len(boxes) == 40
    reached = []
    for _ in range(60):
        widget = _press(qtbot, Qt.Key.Key_Tab)
        if widget is after:
            break
        reached.append(widget)
    assert [b for b in reached if isinstance(b, QCheckBox)] == boxes


def test_tick_boxes_are_named_by_their_options_and_the_group_by_the_question(
        qtbot: Any) -> None:
    editor = create_editor(_field("return_interview", "risk_indicators"))
    _page_widget, *_ = _page(qtbot, editor)
    boxes = editor.findChildren(QCheckBox)
    assert [b.accessibleName() for b in boxes] == [o.label for o in editor.field.options]
    group = boxes[0].parentWidget()
    assert group.accessibleName() == editor.field.label
    assert QAccessible.queryAccessibleInterface(group).role() == QAccessible.Role.Grouping
    # The question label is no box's buddy: that label relation made screen readers say the
    # question instead of "Sexual exploitation" on the first box.
    assert editor.label.buddy() is None
    iface = QAccessible.queryAccessibleInterface(boxes[0])
    assert iface.text(QAccessible.Text.Name) == "Sexual exploitation"
    labelled_by = iface.relations(QAccessible.RelationFlag.Labelled)
    assert not labelled_by, [r[0].text(QAccessible.Text.Name) for r in labelled_by]
