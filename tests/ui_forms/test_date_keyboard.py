"""Date and date-time questions by keyboard and for screen readers (real key presses).

Each is at most two Tab stops (the box and its "Now"/"Today" button), and an empty one is
said as its question and "Not entered", never as a push button.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAccessible, QWheelEvent
from PySide6.QtWidgets import QApplication, QCalendarWidget, QLineEdit, QVBoxLayout, QWidget

from cse_desktop.clock import FixedClock
from cse_desktop.forms import Field
from cse_desktop.records import Record
from cse_desktop.ui.forms.field_widgets import create_editor
from cse_desktop.ui.forms.moment_widgets import DateEditor, DateTimeEditor

CLOCK = FixedClock("2026-07-01T12:00:00+00:00")  # 13:00 in London (summer time)

_keep: list[QWidget] = []  # pages stay alive until the module ends


def _page(qtbot: Any, editor: QWidget) -> tuple[QWidget, QLineEdit]:
    page = QWidget()
    layout = QVBoxLayout(page)
    before, after = QLineEdit(), QLineEdit()
    before.setAccessibleName("before")
    after.setAccessibleName("after")
    for widget in (before, editor, after):
        layout.addWidget(widget)
    qtbot.addWidget(page)
    page.show()
    page.activateWindow()
    qtbot.waitExposed(page)
    before.setFocus()
    _keep.append(page)
    return page, after


def _tab_stops(qtbot: Any, page: QWidget, after: QWidget, *, back: bool = False) -> list[Any]:
    """Press Tab (or Shift+Tab) until focus leaves the question; what each stop is."""
    stops: list[QWidget] = []
    key = Qt.Key.Key_Backtab if back else Qt.Key.Key_Tab
    for _ in range(12):
        qtbot.keyClick(page.focusWidget(), key)
        if page.focusWidget() is after:
            return stops
        stops.append(page.focusWidget())
    raise AssertionError(f"Tab never left the question: {stops}")


def _said(widget: QWidget) -> tuple[str, str, str, str]:
    iface = QAccessible.queryAccessibleInterface(widget)
    return (iface.role().name, iface.text(QAccessible.Text.Name),
            iface.text(QAccessible.Text.Value), iface.text(QAccessible.Text.Description))


def _datetime(label: str = "Date and time the child returned") -> DateTimeEditor:
    editor = create_editor(Field("returned_at", "datetime", label), clock=CLOCK)
    assert isinstance(editor, DateTimeEditor)
    return editor


def test_an_empty_date_time_is_two_tab_stops_and_says_not_entered(qtbot: Any) -> None:
    editor = _datetime()
    page, after = _page(qtbot, editor)
    stops = _tab_stops(qtbot, page, after)
    assert len(stops) == 2
    role, name, value, description = _said(stops[0])
    assert role != "Button"  # it was read as "push button"
    assert name == "Date and time the child returned"
    assert value == "Not entered"
    assert description.startswith("Not entered.")
    assert _said(stops[1])[1] == "Set Date and time the child returned to now"


def test_a_filled_date_time_is_two_tab_stops_both_ways(qtbot: Any) -> None:
    editor = _datetime()
    editor.set_value("2026-07-01T12:00:00+00:00")
    page, after = _page(qtbot, editor)
    forward = _tab_stops(qtbot, page, after)
    assert len(forward) == 2  # was 8: six parts of the date and time, Now and Clear
    _role, name, value, description = _said(forward[0])
    assert (name, value) == ("Date and time the child returned", "Wed 1 Jul 2026, 13:00")
    assert "Not entered" not in description
    # Shift+Tab from after the question comes back through the same two stops.
    after.setFocus()
    before = page.findChildren(QLineEdit)[0]
    backward = _tab_stops(qtbot, page, before, back=True)
    assert backward == forward[::-1]


def test_date_time_keys_fill_change_and_clear(qtbot: Any) -> None:
    editor = _datetime()
    page, _after = _page(qtbot, editor)
    box = editor._edit
    box.setFocus()
    with qtbot.waitSignal(editor.changed):
        qtbot.keyClick(box, Qt.Key.Key_Space)  # fills in now
    assert editor.value() == "2026-07-01T12:00:00+00:00"
    assert not _said(box)[3].startswith("Not entered")
    # Left/Right move between the parts (Tab no longer does); Up changes the part.
    qtbot.keyClick(box, Qt.Key.Key_Home)
    qtbot.keyClick(box, Qt.Key.Key_Right)  # past "Wed": on the day of the month
    qtbot.keyClick(box, Qt.Key.Key_Up)
    assert editor.value() == "2026-07-02T12:00:00+00:00"
    with qtbot.waitSignal(editor.changed):
        qtbot.keyClick(box, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert editor.value() is None
    assert _said(box)[2] == "Not entered"
    assert _said(box)[3].startswith("Not entered.")
    assert page.focusWidget() is box  # clearing keeps the place


def test_date_time_calendar_opens_at_today_from_the_keyboard(qtbot: Any) -> None:
    editor = _datetime()
    _page(qtbot, editor)
    box = editor._edit
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    calendar = box.calendarWidget()
    qtbot.waitUntil(calendar.isVisible)
    assert calendar.selectedDate().toPython().isoformat() == "2026-07-01"
    calendar.hide()


def test_hostile_values_and_wheel_leave_an_empty_date_time_empty(qtbot: Any) -> None:
    editor = _datetime()
    _page(qtbot, editor)
    for junk in ("", "not a date", "2026-13-45T99:00:00Z", 12, ["2026-07-01"]):
        editor.set_value(junk)
        assert editor.value() is None, junk
        assert editor._edit.text() == "Not entered"
    # A stored value loads and goes back out unchanged, to the second.
    editor.set_value("2026-07-01T12:00:30+00:00")
    assert editor.value() == "2026-07-01T12:00:30+00:00"
    # Scrolling the form over an unanswered box does not answer it.
    editor.set_value(None)
    box = editor._edit
    centre = QPointF(box.rect().center())
    wheel = QWheelEvent(centre, box.mapToGlobal(centre), QPoint(0, 0), QPoint(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(box, wheel)
    assert editor.value() is None and box.text() == "Not entered"


def test_a_date_is_two_tab_stops_and_a_date_of_birth_one(qtbot: Any) -> None:
    due = create_editor(Field("due", "date", "Due by"), clock=CLOCK)
    page, after = _page(qtbot, due)
    stops = _tab_stops(qtbot, page, after)
    assert [_said(w)[1] for w in stops] == ["Due by", "Set Due by to today"]
    assert _said(stops[0])[3].startswith("Not entered.")
    dob = create_editor(Field("dob", "date", "Date of birth", past_only=True), clock=CLOCK)
    page, after = _page(qtbot, dob)
    stops = _tab_stops(qtbot, page, after)
    assert [_said(w)[1] for w in stops] == ["Date of birth"]
    qtbot.keyClicks(stops[0], "3/3/2011")
    assert not _said(stops[0])[3].startswith("Not entered")
    assert dob.value() == "2011-03-03"


def test_a_date_calendar_opens_with_alt_down_and_fills_the_box(qtbot: Any) -> None:
    editor = create_editor(Field("due", "date", "Due by"), clock=CLOCK)
    assert isinstance(editor, DateEditor)
    page, _after = _page(qtbot, editor)
    qtbot.keyClick(page.focusWidget(), Qt.Key.Key_Tab)
    box = page.focusWidget()
    qtbot.keyClick(box, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    calendar = page.findChild(QCalendarWidget)
    assert calendar is not None and calendar.isVisible()
    assert calendar.selectedDate().toPython().isoformat() == "2026-07-01"
    with qtbot.waitSignal(editor.changed):
        qtbot.keyClick(calendar.focusWidget() or calendar, Qt.Key.Key_Return)
    assert editor.value() == "2026-07-01"
    assert not calendar.isVisible()


def test_a_date_time_in_a_form_is_two_tab_stops(qtbot: Any, make_view: Any,
                                                rhi: Record) -> None:
    view = make_view(rhi)
    with qtbot.waitActive(view):
        view.activateWindow()
    offered = view.editors["offered_at"]
    names = list(view.editors)
    following = view.editors[names[names.index("offered_at") + 1]]
    view.focus_field("offered_at")
    stops = [QApplication.focusWidget()]
    for _ in range(10):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        if not offered.contains_focus(QApplication.focusWidget()):
            break
        stops.append(QApplication.focusWidget())
    assert len(stops) == 2, [_said(w) for w in stops]
    assert following.contains_focus(QApplication.focusWidget())
