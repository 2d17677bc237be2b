"""Editors for dates and date-times, with a clear "not entered" state.

A date is typed as people write it (03/03/2011), with a calendar for those who want one; an
empty box is unanswered.  A date-time is one editor that says "Not entered" until it is
given a value: Space (or the arrow keys, a digit, clicking it) fills in now, Alt+Down or F4
opens a calendar, Ctrl+Delete goes back to unanswered.  Each is at most two Tab stops (the
box and its "Now"/"Today" button): Tab leaves the date-time box instead of walking through
its day, month, year, hour and minute (Left and Right do that), and the calendar and
"Clear" buttons are for the mouse (their keys are said in the box's description).

Date-times are shown and edited in UK time (Europe/London) and stored as UTC ISO text.  The
Qt editor is told its value is UTC while it holds London wall-clock numbers, so no daylight
saving gap or overlap on the computer can shift what was typed.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import (
    QDate,
    QDateTime,
    QEvent,
    QObject,
    QPointF,
    Qt,
    QTime,
    QTimeZone,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCalendarWidget,
    QDateTimeEdit,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionComboBox,
    QToolButton,
    QWidget,
)

from cse_desktop.forms import Field, parse_date, parse_datetime

from ..a11y import RelatedLabel
from .editor_base import NOT_ANSWERED, FieldEditor
from .timefmt import local_to_utc, long_date, long_date_time, to_local, utc_iso

DATE_FORMAT = "ddd d MMM yyyy"
DATE_TIME_FORMAT = "ddd d MMM yyyy, HH:mm"
NOT_ENTERED = "Not entered"
_UTC = QTimeZone(QTimeZone.Initialization.UTC)
# The date-time box cannot be blank: its lowest value, one day before the earliest real one,
# stands for "not entered" and is shown as those words.
_EMPTY_AT = QDateTime(QDate(1899, 12, 31), QTime(0, 0), _UTC)
_LATEST = QDateTime(QDate(2200, 12, 31), QTime(23, 59), _UTC)
_CLEAR_KEYS = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
_FILL_KEYS = (Qt.Key.Key_Space, Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp,
              Qt.Key.Key_PageDown)
_CALENDAR_KEYS_HINT = "Alt+Down opens a calendar."


def _opens_calendar(event: QKeyEvent) -> bool:
    """F4 or Alt+Down: the keys that open a pop-up (as in a drop-down list)."""
    alt = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
    return event.key() == Qt.Key.Key_F4 or (alt and event.key() == Qt.Key.Key_Down)


class OneStopDateTimeEdit(QDateTimeEdit):
    """A date-time box that is one Tab stop, with a "not entered" value.

    Qt's date-time box moves between its parts on Tab (six presses for "Wed 1 Jul 2026,
    13:00"); here Tab moves on to the next control and Left/Right move between the parts.
    While it shows "Not entered", a key that would change it (or a click) asks for a value
    first (``fill_requested``); Ctrl+Delete or Ctrl+Backspace asks to empty it
    (``clear_requested``).
    """

    fill_requested = Signal()
    clear_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTimeZone(_UTC)
        self.setDisplayFormat(DATE_TIME_FORMAT)
        self.setDateTimeRange(_EMPTY_AT, _LATEST)
        self.setSpecialValueText(NOT_ENTERED)
        self.setCalendarPopup(True)
        self.setDateTime(_EMPTY_AT)

    def is_empty(self) -> bool:
        return self.dateTime() == self.minimumDateTime()

    def focusNextPrevChild(self, next: bool) -> bool:
        return QAbstractSpinBox.focusNextPrevChild(self, next)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if ctrl and event.key() in _CLEAR_KEYS:
            if not self.is_empty():
                self.clear_requested.emit()
            event.accept()
            return
        if _opens_calendar(event):
            if self.is_empty():
                self.fill_requested.emit()  # so the calendar opens at today
            self.open_calendar()
            event.accept()
            return
        if self.is_empty() and (event.key() in _FILL_KEYS or event.text().isdigit()):
            self.fill_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def open_calendar(self) -> None:
        """Open the calendar pop-up.  Qt opens it only for a click on the arrow, so this
        is such a click."""
        if self.isReadOnly() or not self.calendarPopup():
            return
        option = QStyleOptionComboBox()
        option.initFrom(self)
        option.editable = True
        option.subControls = QStyle.SubControl.SC_All
        arrow = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                            QStyle.SubControl.SC_ComboBoxArrow, self)
        at = QPointF(arrow.center())
        click = QMouseEvent(QEvent.Type.MouseButtonPress, at, self.mapToGlobal(at),
                            Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
        super().mousePressEvent(click)
        release = QMouseEvent(QEvent.Type.MouseButtonRelease, at, self.mapToGlobal(at),
                              Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton,
                              Qt.KeyboardModifier.NoModifier)
        super().mouseReleaseEvent(release)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.is_empty():
            event.ignore()  # scrolling the form past an unanswered box leaves it unanswered
            return
        super().wheelEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.is_empty() and self.isEnabled():
            self.fill_requested.emit()
        super().mousePressEvent(event)


class _MomentEditor(FieldEditor):
    """The date-time editor (a date is a ``DateEditor``)."""

    def _build(self) -> QWidget:
        self._has_value = False
        self._original: tuple[str, Any] | None = None  # stored text and what it means
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)

        self._edit = OneStopDateTimeEdit()
        self._edit.setAccessibleName(self.field.label)
        self._edit.setToolTip("Space fills in now; Alt+Down opens a calendar; "
                              "Ctrl+Delete clears it.")
        self._edit.setMinimumWidth(self._edit.sizeHint().width() + 24)
        self._edit.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._edit.dateTimeChanged.connect(self._on_edit_changed)
        self._edit.fill_requested.connect(self._set_now)
        self._edit.clear_requested.connect(self._on_clear)

        self._now = QPushButton("Now")
        self._now.setAccessibleName(f"Set {self.field.label} to now")
        self._now.clicked.connect(self._set_now)
        self._clear = QPushButton("Clear")
        self._clear.setAccessibleName(f"Clear {self.field.label}")
        self._clear.setToolTip("Ctrl+Delete in the box does the same.")
        self._clear.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Ctrl+Delete is its key
        self._clear.clicked.connect(self._on_clear)
        self._clear.hide()

        for widget in (self._edit, self._now, self._clear):
            row.addWidget(widget)
        row.addStretch(1)
        self._show_empty_style()
        return box

    def focus_widgets(self) -> list[QWidget]:
        return [self._edit, self._now, self._clear]

    def tab_chain(self) -> list[QWidget]:
        if self._read_only:
            return super().tab_chain()
        return [self._edit, self._now]

    def _describe_inputs(self) -> None:
        super()._describe_inputs()
        words = [f"{NOT_ENTERED}." if not self._has_value else ""]
        words.append(self._edit.accessibleDescription())
        words.append("Space fills in now. Alt+Down opens a calendar." if not self._has_value
                     else "Ctrl+Delete clears it.")
        self._edit.setAccessibleDescription(" ".join(w for w in words if w))

    # -- state --------------------------------------------------------------------------------

    def _show_empty_style(self) -> None:
        font = self._edit.font()
        font.setItalic(not self._has_value)
        self._edit.setFont(font)

    def _set_filled(self, filled: bool) -> None:
        self._has_value = filled
        if not filled and not self._edit.is_empty():
            loading, self._loading = self._loading, True
            try:
                self._edit.setDateTime(_EMPTY_AT)
            finally:
                self._loading = loading
        self._clear.setVisible(filled and not self._read_only)
        self._show_empty_style()
        self._describe_inputs()

    def _on_edit_changed(self, _moment: QDateTime) -> None:
        filled = not self._edit.is_empty()
        if filled != self._has_value:
            self._set_filled(filled)
        self._emit_changed()

    def _set_now(self) -> None:
        self._loading = True
        try:
            self._put(self._now_value())
            self._set_filled(True)
        finally:
            self._loading = False
        self._emit_changed()

    def _on_clear(self) -> None:
        if not self._has_value:
            return
        self._set_filled(False)
        self._emit_changed()

    def _apply_read_only(self, read_only: bool) -> None:
        self._now.setVisible(not read_only)
        self._clear.setVisible(self._has_value and not read_only)

    # -- values -------------------------------------------------------------------------------

    def value(self) -> Any:
        if not self._has_value:
            return None
        moment = self._read()
        if self._original is not None and self._original[1] == moment:
            return self._original[0]  # unchanged: keep the stored text exactly
        return self._format(moment)

    def _show_value(self, value: Any) -> None:
        moment = self._parse(value)
        if moment is None:
            self._original = None
            self._set_filled(False)
            return
        self._put(moment)
        self._original = (value, self._read())
        self._set_filled(True)

    def display_text(self) -> str:
        value = self.value()
        return NOT_ANSWERED if value is None else self._describe(value)

    # datetime specifics (overridden for plain dates)

    def _now_value(self) -> Any:
        return self.clock.now().replace(second=0, microsecond=0)

    def _parse(self, value: Any) -> Any:
        return parse_datetime(value)

    def _put(self, moment: datetime) -> None:
        local = to_local(moment)
        self._edit.setDateTime(QDateTime(QDate(local.year, local.month, local.day),
                                         QTime(local.hour, local.minute, local.second), _UTC))

    def _read(self) -> Any:
        qdt = self._edit.dateTime()
        d, t = qdt.date(), qdt.time()
        wall = datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), t.second())
        return local_to_utc(wall)

    def _format(self, moment: Any) -> str:
        return utc_iso(moment)

    def _describe(self, value: Any) -> str:
        moment = parse_datetime(value)
        return long_date_time(moment) if moment else str(value)


class DateTimeEditor(_MomentEditor):
    """A date and time (UK time), stored as UTC ISO text."""


MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
TYPED_EXAMPLE = "03/03/2011"
NOT_A_DATE = f"Type the date as day/month/year, for example {TYPED_EXAMPLE}."


def parse_typed_date(text: str) -> date | None:
    """A date as people in the UK type it: 03/03/2011, 3/3/2011, 3-3-2011, 3.3.2011,
    3 March 2011, 3 Mar 2011 or 2011-03-03.  Day first; four-digit years.  None if it is not
    a real date."""
    cleaned = text.strip().lower().replace(",", " ")
    if not cleaned:
        return None
    iso = parse_date(cleaned)
    if iso is not None:
        return iso
    parts = re.split(r"[\s/.\-]+", cleaned)
    if len(parts) != 3:
        return None
    day_text, month_text, year_text = parts
    if not (day_text.isdigit() and year_text.isdigit() and len(year_text) == 4):
        return None
    if month_text.isdigit():
        month = int(month_text)
    else:
        month = next((i + 1 for i, name in enumerate(MONTHS) if month_text.startswith(name)),
                     0)
    try:
        return date(int(year_text), month, int(day_text))
    except ValueError:
        return None


class DateEditor(FieldEditor):
    """A date typed as day/month/year (or picked from a calendar), stored as "YYYY-MM-DD".

    Empty means unanswered.  What was typed is tidied to 03/03/2011 when the practitioner
    moves on, and the date is said in words beside it ("Thursday 3 March 2011") so a
    day/month mix-up is easy to spot.  A ``past_only`` field (a date of birth) offers no
    "Today" and its calendar stops at yesterday.
    """

    def __init__(self, field: Field, parent: QWidget | None = None, *,
                 compact: bool = False, today: date | None = None) -> None:
        self._today = today
        super().__init__(field, parent, compact=compact)

    def _build(self) -> QWidget:
        self._original: tuple[str, date] | None = None
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        self._text = QLineEdit()
        self._text.setPlaceholderText("dd/mm/yyyy")
        self._text.setAccessibleName(self.field.label)
        self._text.setMaxLength(40)
        width = self._text.fontMetrics().horizontalAdvance("30 September 2026") + 24
        self._text.setFixedWidth(width)
        self._text.textEdited.connect(self._on_edited)
        self._text.editingFinished.connect(self._tidy)
        self._calendar_button = QToolButton()
        self._calendar_button.setText("Calendar…")
        self._calendar_button.setAccessibleName(f"Choose {self.field.label} from a calendar")
        self._calendar_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._calendar_button.clicked.connect(self.open_calendar)
        # For the mouse: from the keyboard, Alt+Down or F4 in the box opens the calendar.
        self._calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._calendar_button.setToolTip("Alt+Down in the box does the same.")
        self._text.installEventFilter(self)
        self._now = QPushButton("Today")
        self._now.setAccessibleName(f"Set {self.field.label} to today")
        self._now.clicked.connect(self._set_today)
        self._now.setVisible(not self.field.past_only)
        self._in_words = RelatedLabel()  # "Thursday 3 March 2011", beside the box
        self._in_words.relate_to(lambda: self._text)
        self._in_words.setObjectName("fieldHelp")
        self.calendar: QCalendarWidget | None = None
        for widget in (self._text, self._calendar_button, self._now, self._in_words):
            row.addWidget(widget)
        row.addStretch(1)
        return box

    def focus_widgets(self) -> list[QWidget]:
        widgets: list[QWidget] = [self._text, self._calendar_button]
        if not self.field.past_only:
            widgets.append(self._now)
        return widgets

    def tab_chain(self) -> list[QWidget]:
        if self._read_only:
            return super().tab_chain()
        return [w for w in self.focus_widgets() if w is not self._calendar_button]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self._text and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent) and _opens_calendar(event)
                and not self._read_only):
            self.open_calendar()
            return True
        return super().eventFilter(watched, event)

    def _describe_inputs(self) -> None:
        super()._describe_inputs()
        words = [f"{NOT_ENTERED}." if not self._text.text().strip() else "",
                 self._text.accessibleDescription(),
                 f"Type it as day/month/year. {_CALENDAR_KEYS_HINT}"]
        self._text.setAccessibleDescription(" ".join(w for w in words if w))

    def _apply_read_only(self, read_only: bool) -> None:
        self._now.setVisible(not read_only and not self.field.past_only)

    def today(self) -> date:
        return self._today or self.clock.today()

    def latest_allowed(self) -> date:
        """The calendar's last day: yesterday for a past-only date."""
        if self.field.past_only:
            return self.today() - timedelta(days=1)
        return date(2200, 12, 31)

    # -- typing, calendar, today ---------------------------------------------------------------

    def typed_date(self) -> date | None:
        return parse_typed_date(self._text.text())

    def _show_in_words(self) -> None:
        day = self.typed_date()
        self._in_words.setText(f"{day:%A} {day.day} {day:%B %Y}" if day else "")
        was_empty = self._text.accessibleDescription().startswith(NOT_ENTERED)
        if was_empty != (not self._text.text().strip()):
            self._describe_inputs()

    def _on_edited(self, _text: str) -> None:
        self._show_in_words()
        if self.typed_date() is not None and self.error_text() == NOT_A_DATE:
            self.set_error(None)
        self._emit_changed()

    def _tidy(self) -> None:
        """When the practitioner moves on: 3/3/2011 becomes 03/03/2011, and text that is not
        a date says so at once."""
        text = self._text.text().strip()
        if not text:
            return
        day = self.typed_date()
        if day is None:
            self.set_error(NOT_A_DATE)
            return
        tidy = f"{day:%d/%m/%Y}"
        if tidy != self._text.text():
            self._text.setText(tidy)
        if self.field.past_only and day >= self.today():
            self.set_error(f"'{self.field.label}' must be before today.")
        elif self.error_text() in (NOT_A_DATE, f"'{self.field.label}' must be before today."):
            self.set_error(None)

    def _set_today(self) -> None:
        self._put(self.today())
        self._emit_changed()

    def open_calendar(self) -> QCalendarWidget:
        """A calendar under the box; choosing a day fills it in."""
        if self.calendar is None:
            self.calendar = QCalendarWidget(self)
            self.calendar.setWindowFlags(Qt.WindowType.Popup)
            self.calendar.setGridVisible(True)
            self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
            self.calendar.setVerticalHeaderFormat(
                QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
            self.calendar.clicked.connect(self._picked)
            self.calendar.activated.connect(self._picked)
        latest = self.latest_allowed()
        self.calendar.setDateRange(QDate(1900, 1, 1),
                                   QDate(latest.year, latest.month, latest.day))
        start = self.typed_date() or (latest if self.field.past_only else self.today())
        self.calendar.setSelectedDate(QDate(start.year, start.month, start.day))
        self.calendar.move(self._text.mapToGlobal(self._text.rect().bottomLeft()))
        self.calendar.show()
        self.calendar.setFocus(Qt.FocusReason.PopupFocusReason)
        return self.calendar

    def _picked(self, chosen: QDate) -> None:
        if self.calendar is not None:
            self.calendar.hide()
        self._put(date(chosen.year(), chosen.month(), chosen.day()))
        if self.error_text():
            self._tidy()
        self._text.setFocus(Qt.FocusReason.OtherFocusReason)
        self._emit_changed()

    def _put(self, day: date) -> None:
        self._text.setText(f"{day:%d/%m/%Y}")
        self._show_in_words()

    # -- values --------------------------------------------------------------------------------

    def value(self) -> Any:
        text = self._text.text().strip()
        if not text:
            return None
        day = self.typed_date()
        if day is None:
            return text  # kept as typed, so it is reported rather than lost
        if self._original is not None and self._original[1] == day:
            return self._original[0]  # unchanged: keep the stored text exactly
        return day.isoformat()

    def _show_value(self, value: Any) -> None:
        day = parse_date(value) if isinstance(value, str) else None
        if day is None:
            self._original = None
            self._text.setText(value if isinstance(value, str) else "")
            self._show_in_words()
            return
        self._put(day)
        self._original = (value, day)

    def display_text(self) -> str:
        value = self.value()
        if value is None:
            return NOT_ANSWERED
        return long_date(value) if parse_date(value) else str(value)
