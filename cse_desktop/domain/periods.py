"""Periods for the performance measures: months and quarters in England's time, and the
moments the measures are taken at.  Plain Python, shared by the app and the central service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

REPEAT_WINDOW = timedelta(days=90)
LOCAL_ZONE_NAME = "Europe/London"


def local_zone() -> tzinfo:
    """England's time zone for months and quarters (UTC if the zone data is missing)."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(LOCAL_ZONE_NAME)
    except Exception:  # no tz database on this machine
        return UTC


# -- periods ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: datetime  # included
    end: datetime  # not included
    label: str = ""

    def __post_init__(self) -> None:
        if self.start.utcoffset() is None or self.end.utcoffset() is None:
            raise ValueError("a period needs times with a time zone")
        if self.end <= self.start:
            raise ValueError("the period must end after it starts")

    def contains(self, moment: datetime | None) -> bool:
        """Compared as instants (in UTC): two times in the same zone would otherwise be compared
        by their wall clocks, which repeat an hour when the clocks go back."""
        if moment is None:
            return False
        instant = moment.astimezone(UTC)
        return self.start.astimezone(UTC) <= instant < self.end.astimezone(UTC)

    @classmethod
    def days(cls, first: date, last: date, zone: tzinfo | None = None,
             label: str = "") -> Period:
        """From the start of ``first`` to the end of ``last`` (both days included)."""
        zone = zone or local_zone()
        start = datetime.combine(first, time(0), zone)
        end = datetime.combine(last + timedelta(days=1), time(0), zone)
        return cls(start, end, label or f"{first:%d %b %Y} to {last:%d %b %Y}")

    @classmethod
    def month(cls, year: int, month: int, zone: tzinfo | None = None) -> Period:
        zone = zone or local_zone()
        first = date(year, month, 1)
        return cls(datetime.combine(first, time(0), zone),
                   datetime.combine(next_month(first), time(0), zone), f"{first:%B %Y}")

    @classmethod
    def quarter(cls, year: int, quarter: int, zone: tzinfo | None = None) -> Period:
        """Calendar quarter 1-4 (January-March is quarter 1)."""
        if quarter not in (1, 2, 3, 4):
            raise ValueError("a quarter is 1, 2, 3 or 4")
        zone = zone or local_zone()
        first = date(year, 3 * quarter - 2, 1)
        last = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
        return cls(datetime.combine(first, time(0), zone),
                   datetime.combine(last, time(0), zone),
                   f"Q{quarter} {year} ({first:%b}–{last - timedelta(days=1):%b %Y})")


def next_month(day: date) -> date:
    return date(day.year + (day.month == 12), 1 if day.month == 12 else day.month + 1, 1)


def month_ends(start: datetime, end: datetime) -> list[tuple[date, datetime]]:
    """(first day of the month, the moment it is measured at) for each month of the period.

    Months are calendar months in the time zone of ``start``; the moment is the start of the
    next month, or ``end`` for a last month cut short by the period.
    """
    zone = start.tzinfo
    day = start.date().replace(day=1)
    result = []
    while True:
        month_start = datetime.combine(day, time(0), zone)
        if month_start >= end:
            break
        as_at = min(datetime.combine(next_month(day), time(0), zone), end)
        if as_at > start:
            result.append((day, as_at))
        day = next_month(day)
    return result


def repeat_window_start(end: datetime) -> datetime:
    """The start of the repeat-missing window: 90 days (of 24 hours) before ``end``."""
    return (end.astimezone(UTC) - REPEAT_WINDOW).astimezone(end.tzinfo)
