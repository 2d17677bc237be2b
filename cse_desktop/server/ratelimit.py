"""Slowing down guessing: failed enrolments and failed authentications are counted per client
address (and per enrolment code); past the limit the caller gets 429 with ``Retry-After``.

Counts live in the server process (a sliding window on the clock seam's monotonic time): a
restart forgets them, which is fine for a limit meant to turn thousands of guesses a second
into a handful an hour.
"""

from __future__ import annotations

import math
import threading
from collections import deque

from ..clock import SYSTEM_CLOCK, Clock
from .errors import ApiError

TOO_MANY = ("Too many failed attempts from this computer. Wait {minutes} before trying again, "
            "or ask your administrator for help.")


class FailureLimiter:
    """Counts failures per key in a sliding window; ``check`` refuses a key over its limit."""

    def __init__(self, limit: int, window_seconds: float, clock: Clock = SYSTEM_CLOCK) -> None:
        self.limit, self.window, self.clock = limit, float(window_seconds), clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and now - times[0] >= self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may try again (0: it may now)."""
        with self._lock:
            now = self.clock.monotonic()
            times = self._recent(key, now)
            if len(times) < self.limit:
                return 0
            return max(1, math.ceil(times[len(times) - self.limit] + self.window - now))

    def failed(self, key: str) -> None:
        with self._lock:
            now = self.clock.monotonic()
            self._recent(key, now)
            times = self._failures.setdefault(key, deque())
            times.append(now)
            if len(times) > self.limit * 2:  # enough to know the key is over its limit
                times.popleft()
            if len(self._failures) > 100_000:  # a flood of addresses: forget the oldest
                self._failures.pop(next(iter(self._failures)))

    def check(self, *keys: str) -> None:
        """Raise ApiError(429) if any of ``keys`` has failed too often lately."""
        wait = max((self.retry_after(k) for k in keys), default=0)
        if wait:
            raise too_many(wait)


def too_many(seconds: int) -> ApiError:
    minutes = max(1, math.ceil(seconds / 60))
    error = ApiError(429, "too_many_attempts",
                     TOO_MANY.format(minutes=f"{minutes} minute{'s' if minutes != 1 else ''}"))
    error.headers = {"Retry-After": str(seconds)}
    return error
