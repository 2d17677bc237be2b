"""The 72-hour banner at the top of a return home interview.

The interview must be offered within 72 hours of the child's return.  The banner counts
down, turns amber in the last 24 hours and red once the time has passed, and always says
what it means in words (colour is never the only signal).  It refreshes every minute.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QWidget

from cse_desktop.forms import parse_datetime, rhi_deadline

from .style import AMBER, BLUE, GREEN, GREY, RED, banner_css
from .timefmt import day_and_time, duration

SOON_HOURS = 24


def deadline_message(answers: Mapping[str, Any], now: datetime,
                     late_field_label: str) -> tuple[str, str]:
    """(state, text) for the answers.  States: no_return, offered_in_time, offered_late,
    open, soon, overdue."""
    returned_at = parse_datetime(answers.get("returned_at"))
    if returned_at is None:
        return "no_return", ("Enter when the child returned to see the 72-hour deadline "
                             "for offering the interview.")
    deadline = rhi_deadline(returned_at)
    due = day_and_time(deadline, now=now)
    offered_at = parse_datetime(answers.get("offered_at"))
    if offered_at is not None:
        if offered_at <= deadline:
            return "offered_in_time", (
                f"Offered in time: {day_and_time(offered_at, now=now)} "
                f"(the 72 hours ran until {due})."
            )
        return "offered_late", (
            f"Offered {duration(offered_at - deadline)} after the 72 hours ended ({due}) "
            f"— record why in '{late_field_label}'."
        )
    left = deadline - now
    if left.total_seconds() < 0:
        return "overdue", (
            f"OVERDUE by {duration(left)} — the interview should have been offered by "
            f"{due}. Record why in '{late_field_label}'."
        )
    state = "soon" if left.total_seconds() < SOON_HOURS * 3600 else "open"
    return state, f"RHI must be offered by {due} — {duration(left)} left"


_COLOURS = {
    "no_return": GREY,
    "offered_in_time": GREEN,
    "offered_late": RED,
    "open": BLUE,
    "soon": AMBER,
    "overdue": RED,
}


class DeadlineBanner(QLabel):
    """Shows the 72-hour deadline for the answers given to ``update_answers``."""

    def __init__(self, late_field_label: str, parent: QWidget | None = None, *,
                 now: Callable[[], datetime]) -> None:
        super().__init__(parent)
        self.setObjectName("deadlineBanner")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._late_label = late_field_label
        self._now = now
        self._answers: Mapping[str, Any] = {}
        self.state = "no_return"
        self._timer = QTimer(self)
        self._timer.setInterval(60_000)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()

    def update_answers(self, answers: Mapping[str, Any]) -> None:
        self._answers = dict(answers)
        self.refresh()

    def refresh(self) -> None:
        state, text = deadline_message(self._answers, self._now(), self._late_label)
        self.state = state
        self.setText(text)
        self.setAccessibleName(f"72-hour deadline. {text}")
        font_weight = "font-weight: 700;" if state in ("overdue", "offered_late", "soon") else ""
        self.setStyleSheet(f"QLabel {{ {banner_css(_COLOURS[state])} {font_weight} }}")
