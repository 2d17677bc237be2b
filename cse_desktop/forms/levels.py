"""Risk levels produced by scoring a warning-signs checklist."""

from __future__ import annotations

from enum import StrEnum


class RiskLevel(StrEnum):
    NO_APPARENT = "no_apparent"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        """How the level is shown to people, e.g. "Medium risk"."""
        return _LABELS[self]

    @property
    def short(self) -> str:
        """The level inside a sentence, e.g. "15 or more is high"."""
        return _SHORT[self]

    @property
    def rank(self) -> int:
        """0 for no apparent risk up to 3 for high; use it to compare levels."""
        return _ORDER.index(self)

    @classmethod
    def highest(cls, *levels: RiskLevel) -> RiskLevel:
        return max(levels, key=lambda level: level.rank)


_ORDER = (RiskLevel.NO_APPARENT, RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH)

_LABELS = {
    RiskLevel.NO_APPARENT: "No apparent risk",
    RiskLevel.LOW: "Low risk",
    RiskLevel.MEDIUM: "Medium risk",
    RiskLevel.HIGH: "High risk",
}

_SHORT = {
    RiskLevel.NO_APPARENT: "no apparent risk",
    RiskLevel.LOW: "low",
    RiskLevel.MEDIUM: "medium",
    RiskLevel.HIGH: "high",
}
