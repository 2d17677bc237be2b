"""The one clock seam: every part of the product asks a ``Clock`` for the time.

``Clock.now()`` is the current moment (timezone-aware, UTC); ``Clock.today()`` is today's date
in England (Europe/London, daylight saving included), which is what "today", "overdue" and a
child's age mean to practitioners; ``Clock.monotonic()`` is for measuring idle time and
timeouts, never for dates.

Services, measures, PDFs, deadlines, sync and the server take a clock from their constructor or
their session, defaulting to ``SYSTEM_CLOCK``.  Tests pass a ``FixedClock`` so that they mean
the same thing on any date.  No other module reads the system time directly (a test scans the
package for ``datetime.now``, ``date.today``, ``time.time`` and friends).

Plain Python with no dependencies beyond the standard library (and ``tzdata`` where the
operating system has no time zone database).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

UK_ZONE_NAME = "Europe/London"
UK: tzinfo = ZoneInfo(UK_ZONE_NAME)


@runtime_checkable
class Clock(Protocol):
    """Where the time comes from."""

    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""
        ...

    def today(self) -> date:
        """Today's calendar date in England."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards (for idle time and timeouts)."""
        ...


class SystemClock:
    """The computer's own clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return uk_date(self.now())

    def monotonic(self) -> float:
        return time.monotonic()

    def __repr__(self) -> str:
        return "SystemClock()"


class FixedClock:
    """A clock that stands still until told to move: for tests, demos and benchmarks.

    ``advance()`` moves both the wall clock and the monotonic clock; ``set()`` moves only the
    wall clock (as when a user sets the computer's clock back or forward).
    """

    def __init__(self, moment: datetime | str) -> None:
        self._lock = threading.Lock()
        self._now = _aware(moment)
        self._monotonic = 1000.0

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def today(self) -> date:
        return uk_date(self.now())

    def monotonic(self) -> float:
        with self._lock:
            return self._monotonic

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move on by ``delta`` (or ``timedelta(**kwargs)``); returns the new moment."""
        step = delta if delta is not None else timedelta(**kwargs)
        if step < timedelta(0):
            raise ValueError("advance() moves forwards; use set() to move the wall clock back")
        with self._lock:
            self._now += step
            self._monotonic += step.total_seconds()
            return self._now

    def set(self, moment: datetime | str) -> None:
        """Put the wall clock at ``moment`` (the monotonic clock does not move)."""
        with self._lock:
            self._now = _aware(moment)

    def __repr__(self) -> str:
        return f"FixedClock({self._now.isoformat()!r})"


SYSTEM_CLOCK: Clock = SystemClock()


def uk_date(moment: datetime) -> date:
    """The calendar date in England at ``moment`` (an aware datetime)."""
    return moment.astimezone(UK).date()


def _aware(moment: datetime | str) -> datetime:
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if value.tzinfo is None:
        raise ValueError("a clock needs a timezone-aware moment")
    return value.astimezone(UTC)
