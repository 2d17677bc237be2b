"""One set of risk colours for the app, its PDFs and the board report.

``RISK_FILL`` colours bars, points and bands (strong, told apart at a glance: low is yellow,
never a second green); ``RISK_INK`` is for words in a risk's colour on white or on its light
tint (dark enough to read: at least 7:1 on white).  Keys are the risk level values, and
``not_assessed`` for children with no checklist yet.
"""

from __future__ import annotations

RISK_FILL: dict[str, str] = {
    "high": "#b00020",
    "medium": "#e08a00",
    "low": "#c0a000",
    "no_apparent": "#2e7d32",
    "not_assessed": "#8d8d8d",
}

RISK_INK: dict[str, str] = {
    "high": "#7a0c0c",
    "medium": "#6b3500",
    "low": "#574500",
    "no_apparent": "#1d4d27",
    "not_assessed": "#33383f",
}
