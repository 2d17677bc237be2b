"""Showing and reading times the way practitioners think of them: UK local time.

Answers store date-times as UTC ISO strings; every screen shows and edits them in
Europe/London time, whatever the computer's own time zone is.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def to_local(moment: datetime) -> datetime:
    """The same moment as a London wall-clock time (aware)."""
    return moment.astimezone(LONDON)


def local_to_utc(wall_clock: datetime) -> datetime:
    """A London wall-clock time (naive) as an aware UTC moment."""
    return wall_clock.replace(tzinfo=LONDON).astimezone(UTC)


def utc_iso(moment: datetime) -> str:
    """The stored form of a date-time answer: UTC, to the second."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def clock(moment: datetime) -> str:
    """14:05:12"""
    return to_local(moment).strftime("%H:%M:%S")


def day_and_time(moment: datetime, *, now: datetime) -> str:
    """Sat 22 Nov, 14:05 (the year is added when it is not this year)."""
    local = to_local(moment)
    this_year = to_local(now).year
    day = f"{local:%a} {local.day} {local:%b}"
    if local.year != this_year:
        day += f" {local.year}"
    return f"{day}, {local:%H:%M}"


def long_date_time(moment: datetime) -> str:
    """22 November 2026 at 14:05"""
    local = to_local(moment)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def long_date(day_text: str) -> str:
    """'2026-11-22' as 'Sun 22 November 2026' (the text itself if it is not a date)."""
    try:
        day = datetime.strptime(day_text, "%Y-%m-%d")
    except (TypeError, ValueError):
        return str(day_text)
    return f"{day:%a} {day.day} {day:%B %Y}"


def duration(span: timedelta) -> str:
    """A length of time in words: '45 minutes', '31 hours', '3 days 2 hours'."""
    minutes = int(abs(span).total_seconds() // 60)
    if minutes < 60:
        return _plural(minutes, "minute")
    hours = minutes // 60
    if hours < 72:
        return _plural(hours, "hour")
    days, hours = divmod(hours, 24)
    text = _plural(days, "day")
    return f"{text} {_plural(hours, 'hour')}" if hours else text


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"
