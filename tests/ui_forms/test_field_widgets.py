"""Each field editor: values round-trip, changes are announced, labels and read-only mode."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QRadioButton

from cse_desktop.forms import Field, Option, default_library
from cse_desktop.forms.model import INDICATOR_OPTIONS, YES_NO_OPTIONS
from cse_desktop.ui.forms.field_widgets import (
    DateEditor,
    DateTimeEditor,
    ListEditor,
    create_editor,
)

OPTIONS = (Option("one", "One"), Option("two", "Two"), Option("other", "Something else"))
ITEMS = (
    Field("what", "text", "What needs to happen", required=True),
    Field("owner", "text", "Who will do it"),
    Field("due_date", "date", "Due by"),
    Field("done", "yes_no", "Done", options=YES_NO_OPTIONS),
)

CASES: list[tuple[Field, Any]] = [
    (Field("t", "text", "Where found", help="A place", required=True), "Bus station"),
    (Field("lt", "long_text", "What happened"), "Line one\nLine two"),
    (Field("n", "number", "How many"), 3),
    (Field("f", "number", "How much"), 2.5),
    (Field("d", "date", "Due by"), "2026-11-22"),
    (Field("dt", "datetime", "Returned"), "2026-11-20T14:05:33+00:00"),
    (Field("dt_summer", "datetime", "Returned"), "2026-07-01T23:30:00+00:00"),
    (Field("c", "choice", "Outcome", options=OPTIONS), "two"),
    (Field("m", "multi_choice", "Travel", options=OPTIONS), ["one", "other"]),
    (Field("yn", "yes_no", "Harmed?", options=YES_NO_OPTIONS), "no"),
    (Field("i", "indicator", "Self-harm", options=INDICATOR_OPTIONS),
     {"answer": "not_known", "note": "ask the school"}),
    (Field("i2", "indicator", "Gangs", options=INDICATOR_OPTIONS), {"answer": "yes"}),
    (Field("r", "ref", "Child", ref="child"), "0b7e1c1e-7c8a-4a55-9d59-3f8a1f7a2b10"),
    (Field("l", "list", "Actions", item_fields=ITEMS),
     [{"what": "Call school", "owner": "Sam", "due_date": "2026-11-25", "done": "no"},
      {"what": "Book SARC"}]),
]


@pytest.mark.parametrize(("field", "value"), CASES, ids=[c[0].id for c in CASES])
def test_every_field_type_round_trips(qtbot: Any, field: Field, value: Any) -> None:
    editor = create_editor(field)
    qtbot.addWidget(editor)
    seen: list[bool] = []
    editor.changed.connect(lambda: seen.append(True))
    assert editor.value() is None  # unanswered is not a value
    editor.set_value(value)
    assert editor.value() == value
    assert seen == []  # showing a stored answer is not a change by the practitioner
    editor.set_value(None)
    assert editor.value() is None


@pytest.mark.parametrize(("field", "_value"), CASES, ids=[c[0].id for c in CASES])
def test_every_editor_has_label_and_accessible_names(qtbot: Any, field: Field,
                                                     _value: Any) -> None:
    editor = create_editor(field)
    qtbot.addWidget(editor)
    assert editor.label.text().startswith(field.label)
    assert editor.accessibleName() == field.label
    for widget in editor.focus_widgets():
        assert widget.accessibleName(), f"{type(widget).__name__} in {field.id} has no name"
    if field.help:
        assert field.help in editor.focus_widgets()[0].accessibleDescription()


def test_required_is_said_in_words(qtbot: Any) -> None:
    editor = create_editor(Field("t", "text", "Where found", required=True))
    qtbot.addWidget(editor)
    assert editor.label.text() == "Where found (required)"
    editor.set_required(False)
    assert editor.label.text() == "Where found"


def test_typing_announces_a_change(qtbot: Any) -> None:
    editor = create_editor(Field("t", "text", "Where found"))
    qtbot.addWidget(editor)
    with qtbot.waitSignal(editor.changed):
        qtbot.keyClicks(editor.findChild(QLineEdit), "Park")
    assert editor.value() == "Park"


def test_long_text_tab_moves_on_instead_of_typing_a_tab(qtbot: Any) -> None:
    editor = create_editor(Field("lt", "long_text", "What happened"))
    qtbot.addWidget(editor)
    assert editor.findChild(QPlainTextEdit).tabChangesFocus()


def test_read_only_shows_the_answer_as_text(qtbot: Any) -> None:
    field = Field("c", "choice", "Outcome", options=OPTIONS, required=True)
    editor = create_editor(field)
    qtbot.addWidget(editor)
    editor.show()
    editor.set_value("other")
    editor.set_read_only(True)
    assert editor.read_only_view.isVisible()
    assert not editor.input.isVisible()
    assert editor.read_only_view.text() == "Something else"
    assert "(required)" not in editor.label.text()
    editor.set_value(None)
    assert editor.read_only_view.text() == "Not answered"


def test_datetime_is_shown_in_uk_time_and_stored_in_utc(qtbot: Any) -> None:
    editor = DateTimeEditor(Field("dt", "datetime", "Returned"))
    qtbot.addWidget(editor)
    editor.set_value("2026-07-01T12:00:00+00:00")  # British Summer Time: 13:00 in London
    shown = editor._edit.dateTime()
    assert (shown.time().hour(), shown.time().minute()) == (13, 0)
    editor._edit.setTime(shown.time().addSecs(3600))  # the practitioner changes it to 14:00
    assert editor.value() == "2026-07-01T13:00:00+00:00"
    editor.set_read_only(True)
    assert editor.read_only_view.text() == "1 July 2026 at 14:00"


def test_datetime_empty_state_now_and_clear(qtbot: Any) -> None:
    editor = DateTimeEditor(Field("dt", "datetime", "Offered"))
    qtbot.addWidget(editor)
    editor.show()
    box = editor._edit
    assert box.text() == "Not entered" and not editor._clear.isVisible()
    with qtbot.waitSignal(editor.changed):
        qtbot.mouseClick(editor._now, Qt.MouseButton.LeftButton)
    assert editor.value() is not None
    assert editor._clear.isVisible() and box.text() != "Not entered"
    with qtbot.waitSignal(editor.changed):
        qtbot.mouseClick(editor._clear, Qt.MouseButton.LeftButton)
    assert editor.value() is None and box.text() == "Not entered"
    with qtbot.waitSignal(editor.changed):
        qtbot.keyClick(box, Qt.Key.Key_Space)  # Space in an empty box fills in now
    assert editor.value() is not None


def test_date_editor_today_button(qtbot: Any) -> None:
    from datetime import date

    editor = DateEditor(Field("d", "date", "Due by"), today=date(2026, 11, 20))
    qtbot.addWidget(editor)
    qtbot.mouseClick(editor._now, Qt.MouseButton.LeftButton)
    assert editor.value() == "2026-11-20"


def test_typing_a_uk_date_works(qtbot: Any) -> None:
    editor = DateEditor(Field("dob", "date", "Date of birth", past_only=True))
    qtbot.addWidget(editor)
    editor.show()
    assert editor.value() is None
    with qtbot.waitSignal(editor.changed):
        qtbot.keyClicks(editor._text, "3/3/2011")
    assert editor.value() == "2011-03-03"
    assert editor._in_words.text() == "Thursday 3 March 2011"
    editor._tidy()  # moving on tidies it
    assert editor._text.text() == "03/03/2011"
    for typed, stored in (("03/03/2011", "2011-03-03"), ("14-05-2011", "2011-05-14"),
                          ("14 May 2011", "2011-05-14"), ("2011-05-14", "2011-05-14")):
        editor._text.clear()
        qtbot.keyClicks(editor._text, typed)
        assert editor.value() == stored, typed
    editor._text.clear()
    qtbot.keyClicks(editor._text, "31/02/2011")
    editor._tidy()
    assert editor.value() == "31/02/2011"  # kept as typed, and said at once
    assert editor.error.isVisible() and "day/month/year" in editor.error_text()


def test_a_date_of_birth_has_a_calendar_that_stops_before_today(qtbot: Any) -> None:
    from datetime import date

    editor = DateEditor(Field("dob", "date", "Date of birth", past_only=True),
                        today=date(2026, 11, 20))
    qtbot.addWidget(editor)
    editor.show()
    assert not editor._now.isVisible()  # no "Today" for a date of birth
    calendar = editor.open_calendar()
    assert calendar.isVisible()
    assert calendar.maximumDate().toPython() == date(2026, 11, 19)
    calendar.clicked.emit(calendar.minimumDate().addYears(110))
    assert editor.value() == "2010-01-01"
    assert not calendar.isVisible()
    editor._text.clear()
    qtbot.keyClicks(editor._text, "20/11/2026")
    editor._tidy()
    assert editor.error_text() == "'Date of birth' must be before today."


def test_indicator_radio_buttons_and_note(qtbot: Any) -> None:
    definition = default_library().get("warning_signs")
    editor = create_editor(definition.field("self_harm"))
    qtbot.addWidget(editor)
    labels = [b.text() for b in editor.findChildren(QRadioButton)]
    assert labels == ["Yes", "No", "Not known"]
    with qtbot.waitSignal(editor.changed):
        editor.findChildren(QRadioButton)[2].click()
    assert editor.value() == {"answer": "not_known"}
    qtbot.keyClicks(editor.findChild(QLineEdit), "ask GP")
    assert editor.value() == {"answer": "not_known", "note": "ask GP"}


def test_multi_choice_none_option_excludes_the_others(qtbot: Any) -> None:
    definition = default_library().get("return_interview")
    editor = create_editor(definition.field("referrals"))
    qtbot.addWidget(editor)
    buttons = editor._buttons.buttons
    buttons["police"].click()
    buttons["mash"].click()
    assert editor.value() == ["mash", "police"]
    buttons["none"].click()
    assert editor.value() == ["none"]
    buttons["health"].click()
    assert editor.value() == ["health"]


def test_list_rows_can_be_added_and_removed_by_keyboard(qtbot: Any) -> None:
    field = Field("l", "list", "Actions", item_fields=ITEMS)
    editor = create_editor(field)
    assert isinstance(editor, ListEditor)
    qtbot.addWidget(editor)
    editor.show()
    with qtbot.waitActive(editor):
        editor.activateWindow()
    add = editor._add
    assert add.text() == "Add an action"
    assert add.focusPolicy() & Qt.FocusPolicy.TabFocus
    add.setFocus()
    qtbot.keyClick(add, Qt.Key.Key_Space)
    assert len(editor.rows) == 1
    first = editor.rows[0].tab_chain()[0]
    assert first.hasFocus()  # the cursor is in the new row, ready to type
    qtbot.keyClicks(first, "Call school")
    assert editor.value() == [{"what": "Call school"}]
    remove = editor.rows[0].remove
    assert remove.accessibleName() == "Remove action 1"
    qtbot.keyClick(remove, Qt.Key.Key_Space)
    assert editor.rows == []
    assert editor.value() is None
    assert add.hasFocus()


def test_ref_is_described_not_typed(qtbot: Any) -> None:
    field = Field("r", "ref", "Child", ref="child")
    editor = create_editor(field, describe_ref=lambda _f, _id: "Zoë Nowak")
    qtbot.addWidget(editor)
    editor.set_value("0b7e1c1e-7c8a-4a55-9d59-3f8a1f7a2b10")
    line = editor.findChild(QLineEdit)
    assert line.isReadOnly()
    assert line.text() == "Zoë Nowak"


def test_tab_stops_once_in_radio_buttons_on_the_chosen_answer(qtbot: Any) -> None:
    definition = default_library().get("warning_signs")
    editor = create_editor(definition.field("self_harm"))
    qtbot.addWidget(editor)
    buttons = editor._buttons.buttons
    tab_stops = [v for v, b in buttons.items() if b.focusPolicy() & Qt.FocusPolicy.TabFocus]
    assert tab_stops == ["yes"]
    editor.set_value({"answer": "not_known"})
    tab_stops = [v for v, b in buttons.items() if b.focusPolicy() & Qt.FocusPolicy.TabFocus]
    assert tab_stops == ["not_known"]
