"""The chart of the warning-signs score over time, with the risk bands shaded behind it."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from cse_desktop.pdf.fonts import BOLD, REGULAR, register_fonts
from cse_desktop.pdf.model import RiskPoint
from cse_desktop.pdf.styles import BRAND, INK, LEVEL_COLOURS, LEVEL_INK, MUTED, RULE
from cse_desktop.pdf.text import day, local

_BAND_NAMES = {"no_apparent": "No apparent", "low": "Low", "medium": "Medium", "high": "High"}


def _tint(colour: colors.Color, amount: float = 0.85) -> colors.Color:
    return colors.Color(colour.red + (1 - colour.red) * amount,
                        colour.green + (1 - colour.green) * amount,
                        colour.blue + (1 - colour.blue) * amount)


def risk_chart(points: Sequence[RiskPoint], bands: Sequence[tuple[int, str]],
               width: float, height: float = 62 * mm) -> Drawing:
    """Score (y) against date (x); one dot per signed checklist, coloured by its level."""
    register_fonts()
    drawing = Drawing(width, height)
    left, right, bottom, top = 16 * mm, width - 24 * mm, 10 * mm, height - 4 * mm
    top_score = max([p.score for p in points] + [b[0] for b in bands] + [10])
    top_score = int(top_score * 1.15) + 1

    def y_of(score: float) -> float:
        return bottom + (top - bottom) * score / top_score

    ordered = sorted(bands)
    for index, (low, level) in enumerate(ordered):
        high = ordered[index + 1][0] if index + 1 < len(ordered) else top_score
        # a band of scores low..high-1 is drawn from low-0.5 so whole scores sit inside it
        y0, y1 = y_of(max(0, low - 0.5)), y_of(min(top_score, high - 0.5))
        colour = LEVEL_COLOURS.get(level, colors.grey)
        drawing.add(Rect(left, y0, right - left, y1 - y0, fillColor=_tint(colour),
                         strokeColor=None))
        drawing.add(String(right + 2, (y0 + y1) / 2 - 3, _BAND_NAMES.get(level, level),
                           fontName=REGULAR, fontSize=7,
                           fillColor=LEVEL_INK.get(level, colors.black)))
    drawing.add(Line(left, bottom, right, bottom, strokeColor=INK, strokeWidth=0.6))
    drawing.add(Line(left, bottom, left, top, strokeColor=INK, strokeWidth=0.6))
    step = max(1, top_score // 6)
    for score in range(0, top_score + 1, step):
        drawing.add(Line(left - 2, y_of(score), left, y_of(score), strokeColor=INK))
        drawing.add(String(left - 4, y_of(score) - 2.5, str(score), fontName=REGULAR,
                           fontSize=7, textAnchor="end", fillColor=MUTED))
    drawing.add(String(2, (top + bottom) / 2, "Score", fontName=BOLD, fontSize=7,
                       fillColor=MUTED))
    if not points:
        drawing.add(String((left + right) / 2, (top + bottom) / 2,
                           "No signed warning-signs checklists yet", fontName=REGULAR,
                           fontSize=9, textAnchor="middle", fillColor=MUTED))
        return drawing

    stamps = [p.assessed_at.timestamp() for p in points]
    first, last = min(stamps), max(stamps)
    span = last - first or 1.0
    pad = 6 * mm

    def x_of(stamp: float) -> float:
        if last == first:
            return (left + right) / 2
        return left + pad + (right - left - 2 * pad) * (stamp - first) / span

    coords: list[float] = []
    for point, stamp in zip(points, stamps, strict=True):
        coords += [x_of(stamp), y_of(point.score)]
    if len(points) > 1:
        drawing.add(PolyLine(coords, strokeColor=BRAND, strokeWidth=1.4))
    for point, stamp in zip(points, stamps, strict=True):
        drawing.add(Circle(x_of(stamp), y_of(point.score), 2.6,
                           fillColor=LEVEL_COLOURS.get(point.level, BRAND),
                           strokeColor=colors.white, strokeWidth=0.6))
    labels = _label_indexes(len(points), max_labels=6)
    last_x = -1e9
    for index in labels:
        x = x_of(stamps[index])
        if x - last_x < 22 * mm:
            continue
        last_x = x
        drawing.add(Line(x, bottom, x, bottom - 2, strokeColor=INK))
        drawing.add(String(x, bottom - 9, day(local(points[index].assessed_at).date()),
                           fontName=REGULAR, fontSize=7, textAnchor="middle", fillColor=MUTED))
    drawing.add(Rect(left, bottom, right - left, top - bottom, fillColor=None,
                     strokeColor=RULE, strokeWidth=0.4))
    return drawing


def _label_indexes(count: int, max_labels: int) -> list[int]:
    if count <= max_labels:
        return list(range(count))
    step = (count - 1) / (max_labels - 1)
    return sorted({round(i * step) for i in range(max_labels)})
