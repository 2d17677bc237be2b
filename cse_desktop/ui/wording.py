"""Plain-English wording for dates, deadlines and counts shown on screen."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ..services.caseload import RhiState


def local(moment: datetime) -> datetime:
    return moment.astimezone()


def when(moment: datetime | None) -> str:
    """'Mon 23 Nov 2026, 14:05' in local time ('' for nothing)."""
    if moment is None:
        return ""
    return local(moment).strftime("%a %d %b %Y, %H:%M")


def short_when(moment: datetime | None) -> str:
    """'21 Nov 2026 14:05' in local time, for tables."""
    if moment is None:
        return ""
    return local(moment).strftime("%d %b %Y %H:%M")


def day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    return value.strftime("%d %b %Y")


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def duration(delta: timedelta) -> str:
    """'2 days 5 hours', '3 hours 10 minutes', '12 minutes'."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return plural(days, "day") + (f" {plural(hours, 'hour')}" if hours else "")
    if hours:
        return plural(hours, "hour") + (f" {plural(mins, 'minute')}" if mins else "")
    return plural(mins, "minute")


def rhi_text(state: RhiState, deadline: datetime | None, now: datetime) -> str:
    """What a list says about a return home interview still to be offered."""
    if state is RhiState.NONE or deadline is None:
        return ""
    if state is RhiState.OVERDUE:
        return f"Overdue by {duration(now - deadline)} (was due {when(deadline)})"
    return f"Due in {duration(deadline - now)} (by {when(deadline)})"
