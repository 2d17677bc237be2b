"""A pad to draw a signature with a mouse, a pen (graphics tablet) or a finger.

``SignaturePad.image()`` gives the drawing as a cropped PNG on white, or ``None`` when the
practitioner ticked "I cannot draw a signature" (keyboard-only users sign with their name
and passphrase).  ``to_png()`` always renders what is drawn.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QEvent,
    QIODevice,
    QPointF,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

MAX_PNG_SIZE = QSize(600, 200)
PEN_WIDTH = 2.6
MARGIN = 8


class _Stroke:
    def __init__(self, start: QPointF, width: float) -> None:
        self.points: list[QPointF] = [start]
        self.widths: list[float] = [width]

    def add(self, point: QPointF, width: float) -> None:
        if self.points and (self.points[-1] - point).manhattanLength() < 0.5:
            return
        self.points.append(point)
        self.widths.append(width)

    def bounds(self) -> QRectF:
        xs = [p.x() for p in self.points]
        ys = [p.y() for p in self.points]
        return QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


class SignatureCanvas(QWidget):
    """The drawing area itself."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.strokes: list[_Stroke] = []
        self._current: _Stroke | None = None
        self.setMinimumSize(360, 140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents, True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAccessibleName("Signature drawing area")
        self.setAccessibleDescription(
            "Draw your signature with a mouse, pen or finger. If you cannot, tick the box "
            "below to sign with your name and passphrase only."
        )

    # -- drawing ------------------------------------------------------------------------------

    def _begin(self, point: QPointF, width: float = PEN_WIDTH) -> None:
        self._current = _Stroke(point, width)
        self.strokes.append(self._current)
        self.update()

    def _extend(self, point: QPointF, width: float = PEN_WIDTH) -> None:
        if self._current is None:
            self._begin(point, width)
            return
        self._current.add(point, width)
        self.update()

    def _end(self) -> None:
        if self._current is not None:
            self._current = None
            self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._extend(event.position())
            self._end()

    def tabletEvent(self, event: QTabletEvent) -> None:
        width = PEN_WIDTH * (0.5 + max(0.0, min(1.0, event.pressure())))
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position(), width)
        elif kind == QEvent.Type.TabletMove and self._current is not None:
            self._extend(event.position(), width)
        elif kind == QEvent.Type.TabletRelease:
            self._end()
        event.accept()  # no synthesised mouse events: they would draw twice

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        touch = (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate,
                 QEvent.Type.TouchEnd, QEvent.Type.TouchCancel)
        if kind in touch and isinstance(event, QTouchEvent):
            points = event.points()
            if points:
                position = points[0].position()
                if kind == QEvent.Type.TouchBegin:
                    self._begin(position)
                elif kind == QEvent.Type.TouchUpdate:
                    self._extend(position)
                else:
                    self._end()
            event.accept()
            return True
        return super().event(event)

    # -- showing ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        baseline = self.height() - 30
        painter.setPen(QPen(QColor("#9AA0A6"), 1, Qt.PenStyle.DashLine))
        painter.drawLine(20, baseline, self.width() - 20, baseline)
        if not self.strokes:
            painter.setPen(QColor("#5F6368"))
            painter.drawText(QRectF(0, baseline + 4, self.width(), 24),
                             Qt.AlignmentFlag.AlignHCenter, "Sign above the line")
        self._draw_strokes(painter, QPointF(0, 0), 1.0)
        if self.hasFocus():
            painter.setPen(QPen(self.palette().highlight().color(), 2))
            painter.drawRect(self.rect().adjusted(1, 1, -2, -2))
        painter.end()

    def _draw_strokes(self, painter: QPainter, offset: QPointF, scale: float) -> None:
        for stroke in self.strokes:
            points = [(p - offset) * scale for p in stroke.points]
            width = max(1.2, (sum(stroke.widths) / len(stroke.widths)) * max(scale, 0.6))
            pen = QPen(QColor("#0B1F3A"), width, Qt.PenStyle.SolidLine,
                       Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            if len(points) == 1:
                painter.drawPoint(points[0])
                continue
            path = QPainterPath(points[0])
            for point in points[1:]:
                path.lineTo(point)
            painter.drawPath(path)

    # -- results ------------------------------------------------------------------------------

    def is_empty(self) -> bool:
        return not self.strokes

    def clear(self) -> None:
        self.strokes.clear()
        self._current = None
        self.update()
        self.changed.emit()

    def to_png(self) -> bytes:
        """The drawing cropped to what was drawn, on white, at most 600 x 200 pixels."""
        if self.is_empty():
            raise ValueError("Nothing has been drawn.")
        bounds = self.strokes[0].bounds()
        for stroke in self.strokes[1:]:
            bounds = bounds.united(stroke.bounds())
        bounds.adjust(-MARGIN, -MARGIN, MARGIN, MARGIN)
        scale = min(1.0, MAX_PNG_SIZE.width() / bounds.width(),
                    MAX_PNG_SIZE.height() / bounds.height())
        size = QSize(max(1, round(bounds.width() * scale)), max(1, round(bounds.height() * scale)))
        image = QImage(size, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._draw_strokes(painter, bounds.topLeft(), scale)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # stubs want bytes; str works
        buffer.close()
        return bytes(data.data())


class SignaturePad(QWidget):
    """The canvas, a Clear button and the "I cannot draw a signature" tick box."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        title = QLabel("Your signature")
        title.setStyleSheet("font-weight: 600;")
        layout.addWidget(title)
        self.canvas = SignatureCanvas()
        self.canvas.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.canvas.changed.connect(self._on_changed)
        layout.addWidget(self.canvas, 1)
        title.setBuddy(self.canvas)

        row = QHBoxLayout()
        self.clear_button = QPushButton("Clear signature")
        # Enter anywhere in a dialog must never wipe the drawing.
        self.clear_button.setAutoDefault(False)
        self.clear_button.setDefault(False)
        self.clear_button.clicked.connect(self.canvas.clear)
        row.addWidget(self.clear_button)
        row.addStretch(1)
        layout.addLayout(row)

        self.no_drawing = QCheckBox(
            "I cannot draw a signature; sign with my name and passphrase only"
        )
        self.no_drawing.toggled.connect(self._on_no_drawing)
        layout.addWidget(self.no_drawing)

    def _on_changed(self) -> None:
        self.clear_button.setEnabled(not self.canvas.is_empty())
        self.changed.emit()

    def _on_no_drawing(self, ticked: bool) -> None:
        self.canvas.setEnabled(not ticked)
        self.clear_button.setEnabled(not ticked and not self.canvas.is_empty())
        self.changed.emit()

    def is_empty(self) -> bool:
        return self.canvas.is_empty()

    def without_drawing(self) -> bool:
        return self.no_drawing.isChecked()

    def is_ready(self) -> bool:
        """A drawing was made, or the practitioner chose to sign without one."""
        return self.without_drawing() or not self.is_empty()

    def clear(self) -> None:
        self.canvas.clear()

    def to_png(self) -> bytes:
        return self.canvas.to_png()

    def image(self) -> bytes | None:
        """The PNG to store with the signature, or None when signing without a drawing."""
        if self.without_drawing() or self.is_empty():
            return None
        return self.to_png()
