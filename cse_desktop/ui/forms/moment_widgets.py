"""Editors for dates and date-times, with a clear "not entered" state.

A date-time editor cannot be blank, so an unanswered question shows a "Not entered" button
instead of a made-up date.  Pressing it (or "Now" / "Today") gives the practitioner a real
editor with a calendar pop-up; "Clear" goes back to unanswered.

Date-times are shown and edited in UK time (Europe/London) and stored as UTC ISO text.  The
Qt editor is told its value is UTC while it holds London wall-clock numbers, so no daylight
saving gap or overlap on the computer can shift what was typed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone
from PySide6.QtWidgets import (
    QDateEdit,
    QDateTimeEdit,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from cse_desktop.forms import parse_date, parse_datetime

from .editor_base import NOT_ANSWERED, FieldEditor
from .timefmt import local_to_utc, long_date, long_date_time, to_local, utc_iso

DATE_FORMAT = "ddd d MMM yyyy"
DATE_TIME_FORMAT = "ddd d MMM yyyy, HH:mm"
_UTC = QTimeZone(QTimeZone.Initialization.UTC)


class _MomentEditor(FieldEditor):
    """Shared by the date and the date-time editors."""

    WITH_TIME = True

    def _build(self) -> QWidget:
        self._has_value = False
        self._original: tuple[str, Any] | None = None  # stored text and what it means
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)

        what = "date and time" if self.WITH_TIME else "date"
        self._empty = QPushButton(f"Not entered – choose a {what}")
        self._empty.setObjectName("emptyMoment")
        self._empty.setAccessibleName(self.field.label)
        self._empty.setToolTip(f"No {what} entered yet. Press to enter one.")
        self._empty.clicked.connect(self._start_editing)

        self._edit = self._make_edit()
        self._edit.setCalendarPopup(True)
        self._edit.setAccessibleName(self.field.label)
        self._edit.setMinimumWidth(self._edit.sizeHint().width() + 24)
        self._edit.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._edit.dateTimeChanged.connect(self._emit_changed)
        self._edit.hide()
        self._empty.setMinimumWidth(self._edit.minimumWidth())

        self._now = QPushButton("Now" if self.WITH_TIME else "Today")
        self._now.setAccessibleName(
            f"Set {self.field.label} to {'now' if self.WITH_TIME else 'today'}"
        )
        self._now.clicked.connect(self._set_now)
        self._clear = QPushButton("Clear")
        self._clear.setAccessibleName(f"Clear {self.field.label}")
        self._clear.clicked.connect(self._on_clear)
        self._clear.hide()

        for widget in (self._empty, self._edit, self._now, self._clear):
            row.addWidget(widget)
        row.addStretch(1)
        return box

    def _make_edit(self) -> QDateTimeEdit:
        edit = QDateTimeEdit()
        edit.setTimeZone(_UTC)
        edit.setDisplayFormat(DATE_TIME_FORMAT)
        edit.setDateTimeRange(QDateTime(QDate(1900, 1, 1), QTime(0, 0), _UTC),
                              QDateTime(QDate(2200, 12, 31), QTime(23, 59), _UTC))
        return edit

    def focus_widgets(self) -> list[QWidget]:
        return [self._empty, self._edit, self._now, self._clear]

    # -- state --------------------------------------------------------------------------------

    def _set_filled(self, filled: bool) -> None:
        had_focus = self._empty.hasFocus() or self._edit.hasFocus() or self._clear.hasFocus()
        self._has_value = filled
        self._empty.setVisible(not filled)
        self._edit.setVisible(filled)
        self._clear.setVisible(filled and not self._read_only)
        if had_focus:
            (self._edit if filled else self._empty).setFocus(Qt.FocusReason.OtherFocusReason)

    def _start_editing(self) -> None:
        self._set_now()
        self._edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _set_now(self) -> None:
        self._loading = True
        try:
            self._put(self._now_value())
            self._set_filled(True)
        finally:
            self._loading = False
        self._emit_changed()

    def _on_clear(self) -> None:
        self._set_filled(False)
        self._empty.setFocus(Qt.FocusReason.OtherFocusReason)
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


class DateEditor(_MomentEditor):
    """A date, stored as "YYYY-MM-DD"."""

    WITH_TIME = False

    def _make_edit(self) -> QDateTimeEdit:
        edit = QDateEdit()
        edit.setDisplayFormat(DATE_FORMAT)
        edit.setDateRange(QDate(1900, 1, 1), QDate(2200, 12, 31))
        return edit

    def _now_value(self) -> Any:
        return self.clock.today()

    def _parse(self, value: Any) -> Any:
        return parse_date(value)

    def _put(self, moment: date) -> None:
        self._edit.setDate(QDate(moment.year, moment.month, moment.day))

    def _read(self) -> Any:
        d = self._edit.date()
        return date(d.year(), d.month(), d.day())

    def _format(self, moment: Any) -> str:
        return moment.isoformat()

    def _describe(self, value: Any) -> str:
        return long_date(value)
