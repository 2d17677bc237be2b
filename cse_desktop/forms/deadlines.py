"""The 72-hour rule for return home interviews.

An interview must be offered within 72 hours of the child's return.  Offered in time means
``offered_at <= returned_at + 72 h``; completed in time means the outcome is "completed" and
``completed_at <= returned_at + 72 h``.  Exactly 72 hours counts as in time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cse_desktop.forms.values import parse_datetime

__all__ = [
    "RHI_DEADLINE_HOURS",
    "RhiTimeliness",
    "parse_datetime",
    "rhi_deadline",
    "rhi_timeliness",
    "time_left",
]

RHI_DEADLINE_HOURS = 72
COMPLETED = "completed"


@dataclass
class RhiTimeliness:
    deadline: datetime | None  # None when the return time is missing or unreadable
    offered_in_time: bool | None  # None when it cannot be told yet
    completed_in_time: bool | None


def rhi_deadline(returned_at: datetime) -> datetime:
    """The latest time the interview can be offered: 72 elapsed hours after the return (in UTC,
    so a clock change in between neither adds nor takes away an hour)."""
    _require_aware(returned_at, "returned_at")
    return returned_at.astimezone(UTC) + timedelta(hours=RHI_DEADLINE_HOURS)


def time_left(returned_at: datetime, now: datetime) -> timedelta:
    """Time until the deadline; negative once it has passed."""
    _require_aware(now, "now")
    return rhi_deadline(returned_at) - now


def rhi_timeliness(answers: Any) -> RhiTimeliness:
    """Whether a return home interview was offered and completed within 72 hours.

    Works on return_interview answers; anything missing or unreadable gives ``None`` rather
    than an error.
    """
    source = answers if isinstance(answers, Mapping) else {}
    returned_at = parse_datetime(source.get("returned_at"))
    if returned_at is None:
        return RhiTimeliness(None, None, None)
    try:
        deadline = rhi_deadline(returned_at)
    except OverflowError:
        return RhiTimeliness(None, None, None)

    offered_at = parse_datetime(source.get("offered_at"))
    offered_in_time = None if offered_at is None else offered_at <= deadline

    outcome = source.get("outcome")
    completed_at = parse_datetime(source.get("completed_at"))
    completed_in_time: bool | None
    if not isinstance(outcome, str) or not outcome:
        completed_in_time = None
    elif outcome != COMPLETED:
        completed_in_time = False
    elif completed_at is None:
        completed_in_time = None
    else:
        completed_in_time = completed_at <= deadline
    return RhiTimeliness(deadline, offered_in_time, completed_in_time)


def _require_aware(moment: datetime, name: str) -> None:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a date and time with a time zone")
