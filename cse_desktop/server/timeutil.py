"""The service's time: the product's one clock seam, and UTC helpers (SQLite hands back naive
datetimes, PostgreSQL aware ones)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ..clock import SYSTEM_CLOCK, Clock

_clock: Clock = SYSTEM_CLOCK


def use_clock(clock: Clock) -> None:
    """Run the service on this clock (the entry point sets it once, before serving)."""
    global _clock
    _clock = clock


def now() -> datetime:
    """The current moment (UTC, aware) on the service's clock."""
    return _clock.now()


def today() -> date:
    """Today's date in England on the service's clock."""
    return _clock.today()


def aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
