"""A small, accessible bar chart drawn with QPainter (PySide6-Essentials has no QtCharts).

    chart = BarChart("Risk levels at each month end")
    chart.set_groups([Group("Jan 2026", [Bar("High risk", 2, "#b00020", key), ...]), ...])
    chart.bar_activated.connect(show_children)      # key of the bar clicked or chosen

Every bar is labelled with its value and its name (colour is never the only cue).  The chart
takes keyboard focus: Left/Right (or Up/Down) move between bars, Enter or Space activates one.
A screen reader gets the whole chart as text through the accessible description, and the
bar in focus through the accessible name.  ``horizontal=True`` draws one row per bar, for
long labels such as agency names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

PADDING = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    colour: str
    key: Any = None  # handed back by bar_activated
    text: str = ""  # shown on the bar; the value when empty


@dataclass(frozen=True)
class Group:
    label: str
    bars: tuple[Bar, ...]


class BarChart(QWidget):
    bar_activated = Signal(object)  # the bar's key

    def __init__(self, title: str, *, horizontal: bool = False, unit: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.horizontal = horizontal
        self.unit = unit
        self.groups: list[Group] = []
        self.current = -1
        self._rects: list[tuple[QRectF, int]] = []
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(180)
        self.setAccessibleName(title)
        self.setMouseTracking(True)

    # -- data ----------------------------------------------------------------------------------

    @property
    def bars(self) -> list[Bar]:
        return [bar for group in self.groups for bar in group.bars]

    def set_groups(self, groups: list[Group]) -> None:
        self.groups = list(groups)
        self.current = 0 if self.bars else -1
        self.setAccessibleDescription(self.as_text())
        self._announce()
        if self.horizontal:
            self.setMinimumHeight(max(120, 26 * len(self.bars) + 2 * PADDING + 24))
        self.updateGeometry()
        self.update()

    def as_text(self) -> str:
        """The chart in words, for screen readers and tooltips."""
        parts = []
        for group in self.groups:
            items = ", ".join(f"{bar.label} {self._value_text(bar)}" for bar in group.bars)
            parts.append(f"{group.label}: {items}" if group.label else items)
        return f"{self.title}. " + "; ".join(parts) if parts else f"{self.title}: no data."

    def _value_text(self, bar: Bar) -> str:
        if bar.text:
            return bar.text
        value = int(bar.value) if float(bar.value).is_integer() else round(bar.value, 1)
        return f"{value}{self.unit}"

    def _announce(self) -> None:
        bars = self.bars
        if 0 <= self.current < len(bars):
            group = self._group_of(self.current)
            bar = bars[self.current]
            prefix = f"{group.label}, " if group.label else ""
            self.setAccessibleName(f"{self.title}: {prefix}{bar.label}, "
                                   f"{self._value_text(bar)}. Press Enter to see the children.")
        else:
            self.setAccessibleName(self.title)

    def _group_of(self, index: int) -> Group:
        count = 0
        for group in self.groups:
            if index < count + len(group.bars):
                return group
            count += len(group.bars)
        return self.groups[-1]

    # -- interaction ---------------------------------------------------------------------------

    def select(self, index: int) -> None:
        if not self.bars:
            return
        self.current = max(0, min(index, len(self.bars) - 1))
        self._announce()
        self.update()

    def activate(self, index: int | None = None) -> None:
        bars = self.bars
        index = self.current if index is None else index
        if 0 <= index < len(bars):
            self.select(index)
            self.bar_activated.emit(bars[index].key)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Down):
            self.select(self.current + 1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Up):
            self.select(self.current - 1)
        elif key == Qt.Key.Key_Home:
            self.select(0)
        elif key == Qt.Key.Key_End:
            self.select(len(self.bars) - 1)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activate()
        else:
            super().keyPressEvent(event)

    def bar_at(self, point: QPointF) -> int:
        for rect, index in self._rects:
            if rect.contains(point):
                return index
        return -1

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self.bar_at(event.position())
        if index >= 0 and event.button() == Qt.MouseButton.LeftButton:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self.activate(index)
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        index = self.bar_at(event.position())
        if index >= 0:
            bar = self.bars[index]
            group = self._group_of(index)
            prefix = f"{group.label}: " if group.label else ""
            self.setToolTip(f"{prefix}{bar.label}, {self._value_text(bar)} (click to see the "
                            "children)")
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            self.setToolTip("")
            self.unsetCursor()
        super().mouseMoveEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusOutEvent(event)

    def sizeHint(self) -> QSize:
        if self.horizontal:
            return QSize(420, 26 * max(1, len(self.bars)) + 2 * PADDING + 24)
        return QSize(420, 240)

    # -- drawing -------------------------------------------------------------------------------

    def paintEvent(self, _event: Any) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._rects = []
        text_colour = self.palette().color(self.foregroundRole())
        if not self.bars:
            painter.setPen(text_colour)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No data for this period")
            return
        painter.setPen(text_colour)
        bold = painter.font()
        bold.setBold(True)
        painter.setFont(bold)
        title_height = QFontMetrics(bold).height()
        painter.drawText(QRectF(PADDING, 2, self.width() - 2 * PADDING, title_height),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         self.title)
        bold.setBold(False)
        painter.setFont(bold)
        if self.horizontal:
            self._paint_rows(painter, text_colour, title_height + 4)
        else:
            self._paint_columns(painter, text_colour, title_height + 4)
        painter.end()

    def _top(self) -> float:
        return max([bar.value for bar in self.bars] + [1.0])

    def _paint_columns(self, painter: QPainter, text_colour: QColor, title: float) -> None:
        metrics = QFontMetrics(self.font())
        line = metrics.height()
        area = QRectF(PADDING, title + line, self.width() - 2 * PADDING,
                      self.height() - title - PADDING - 4 * line)
        top = self._top()
        gap = 0.5  # between groups, in bar slots
        slots = sum(len(g.bars) for g in self.groups) + gap * max(0, len(self.groups) - 1)
        slot = area.width() / max(1, slots)
        x = area.left()
        index = 0
        normal = painter.font()
        small = painter.font()
        small.setPointSizeF(max(7.0, normal.pointSizeF() * 0.85))
        painter.setPen(QPen(text_colour, 1))
        painter.drawLine(QPointF(area.left(), area.bottom()), QPointF(area.right(), area.bottom()))
        for group in self.groups:
            group_left = x
            for bar in group.bars:
                height = area.height() * (bar.value / top)
                rect = QRectF(x + slot * 0.12, area.bottom() - height, slot * 0.76, height)
                self._draw_bar(painter, rect, bar, index)
                hit = QRectF(x, area.top(), slot, area.height() + line)
                self._rects.append((hit, index))
                painter.setPen(text_colour)
                painter.drawText(QRectF(x, rect.top() - line, slot, line),
                                 Qt.AlignmentFlag.AlignCenter, self._value_text(bar))
                painter.setFont(_fitting_font(small, bar.label, slot - 2))
                painter.drawText(QRectF(x, area.bottom() + 2, slot, 2 * line),
                                 Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                                 | Qt.TextFlag.TextWordWrap, bar.label)
                painter.setFont(normal)
                x += slot
                index += 1
            if group.label:
                bold = painter.font()
                bold.setBold(True)
                painter.setFont(bold)
                painter.drawText(QRectF(group_left, area.bottom() + 2 * line + 4,
                                        x - group_left, line),
                                 Qt.AlignmentFlag.AlignCenter, group.label)
                painter.setFont(normal)
            x += slot * gap

    def _paint_rows(self, painter: QPainter, text_colour: QColor, title: float) -> None:
        metrics = QFontMetrics(self.font())
        label_width = min(self.width() * 0.45,
                          max(metrics.horizontalAdvance(b.label) for b in self.bars) + 8)
        value_width = metrics.horizontalAdvance("0000") + 8
        left = PADDING + label_width
        width = self.width() - left - PADDING - value_width
        row = (self.height() - title - PADDING) / max(1, len(self.bars))
        top = self._top()
        for index, bar in enumerate(self.bars):
            y = title + index * row
            painter.setPen(text_colour)
            label = metrics.elidedText(bar.label, Qt.TextElideMode.ElideRight,
                                       int(label_width - 8))
            painter.drawText(QRectF(PADDING, y, label_width - 8, row),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
            rect = QRectF(left, y + row * 0.18, max(1.0, width * bar.value / top), row * 0.64)
            self._draw_bar(painter, rect, bar, index)
            painter.setPen(text_colour)
            painter.drawText(QRectF(rect.right() + 4, y, value_width, row),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             self._value_text(bar))
            self._rects.append((QRectF(PADDING, y, self.width() - 2 * PADDING, row), index))

    def _draw_bar(self, painter: QPainter, rect: QRectF, bar: Bar, index: int) -> None:
        painter.fillRect(rect, QColor(bar.colour))
        if index == self.current and self.hasFocus():
            pen = QPen(self.palette().color(self.palette().ColorRole.Highlight), 3)
            painter.setPen(pen)
            painter.drawRect(rect.adjusted(-2, -2, 2, 2))


def _fitting_font(font: QFont, label: str, width: float) -> QFont:
    """``font``, made a little smaller until every word of ``label`` fits ``width`` (so
    "No apparent" under a narrow bar does not run into "Not assessed" beside it)."""
    fitted = QFont(font)
    words = label.split() or [label]
    while fitted.pointSizeF() > 6 and max(
            QFontMetrics(fitted).horizontalAdvance(word) for word in words) > width:
        fitted.setPointSizeF(fitted.pointSizeF() - 0.5)
    return fitted
