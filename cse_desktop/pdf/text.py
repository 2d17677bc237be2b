"""Turning stored values into the words printed on the page.

Times are stored in UTC and printed in UK local time (Europe/London, GMT or BST), the way a
practitioner would read them on a clock: "23 Nov 2026, 14:05".
"""

from __future__ import annotations

from datetime import date, datetime
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS_LONG = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")


def esc(text: object) -> str:
    """Text made safe for a ReportLab paragraph, keeping line breaks."""
    return escape(str(text)).replace("\r\n", "\n").replace("\n", "<br/>")


def local(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)


def when(moment: datetime | None) -> str:
    """"23 Nov 2026, 14:05" in UK local time ('' for None)."""
    if moment is None:
        return ""
    at = local(moment)
    return f"{at.day} {_MONTHS[at.month - 1]} {at.year}, {at:%H:%M}"


def when_long(moment: datetime) -> str:
    """"23 November 2026 at 14:05" in UK local time, for sentences."""
    at = local(moment)
    return f"{at.day} {_MONTHS_LONG[at.month - 1]} {at.year} at {at:%H:%M}"


def day(value: date | None) -> str:
    """"3 Mar 2011" ('' for None)."""
    if value is None:
        return ""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def short_id(record_id: str) -> str:
    """The first block of a record id, enough to find it in the app's search."""
    return record_id.split("-")[0] if record_id else ""
