"""How big the next request should be, learnt from how the link behaved.

A request that is cut part-way is sent again from its first byte, so on a weak link small
requests waste less.  The pacer aims for requests of about ``target_seconds`` at the speed it
has measured, halves the size after a dropped connection and never goes below ``floor`` or
above ``ceiling``.
"""

from __future__ import annotations

FLOOR = 16 * 1024
TARGET_SECONDS = 8.0


class Pacer:
    """Adaptive request size in bytes (one per direction)."""

    def __init__(self, initial: int, *, floor: int = FLOOR, ceiling: int | None = None,
                 target_seconds: float = TARGET_SECONDS) -> None:
        self.floor = min(floor, initial)
        self.ceiling = ceiling or max(initial, 4 * initial)
        self.size = initial
        self.target_seconds = target_seconds
        self.rate: float | None = None  # bytes per second, smoothed

    def done(self, size: int, seconds: float) -> None:
        """A request of ``size`` bytes went through in ``seconds``."""
        if size <= 0:
            return
        rate = size / max(seconds, 0.05)
        self.rate = rate if self.rate is None else 0.7 * self.rate + 0.3 * rate
        wanted = int(self.rate * self.target_seconds)
        # Grow gently (at most doubling), shrink straight to what the link carries.
        self.size = max(self.floor, min(self.ceiling, wanted, self.size * 2))

    def failed(self) -> None:
        """A connection dropped: try smaller."""
        self.size = max(self.floor, self.size // 2)
