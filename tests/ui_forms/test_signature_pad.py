"""Drawing a signature and turning it into a PNG."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QImage

from cse_desktop.ui.forms import SignaturePad

from .helpers import draw


def test_drawing_with_the_mouse_gives_a_cropped_png(qtbot: Any) -> None:
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(500, 260)
    pad.show()
    assert pad.is_empty()
    with qtbot.waitSignal(pad.changed):
        draw(pad.canvas, [(40, 60), (80, 90), (120, 50), (160, 100), (200, 70)])
    assert not pad.is_empty()
    png = pad.to_png()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = QImage.fromData(png)
    assert 0 < image.width() <= 600 and 0 < image.height() <= 200
    assert image.width() < 250  # cropped to the drawing, not the whole pad
    assert pad.image() == png


def test_clear_and_signing_without_a_drawing(qtbot: Any) -> None:
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(500, 260)
    pad.show()
    draw(pad.canvas, [(10, 10), (50, 50)])
    pad.clear_button.click()
    assert pad.is_empty()
    with pytest.raises(ValueError):
        pad.to_png()
    assert not pad.is_ready()
    pad.no_drawing.setChecked(True)
    assert pad.is_ready()
    assert pad.image() is None
    assert not pad.canvas.isEnabled()


def test_a_long_signature_is_scaled_to_a_reasonable_size(qtbot: Any) -> None:
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(1600, 500)
    pad.show()
    draw(pad.canvas, [(10, 10), (1500, 400)])
    image = QImage.fromData(pad.to_png())
    assert image.width() <= 600 and image.height() <= 200


def test_drawing_with_a_finger(qtbot: Any) -> None:
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(500, 260)
    pad.show()
    qtbot.waitExposed(pad)
    touch = QTest.touchEvent(pad, QTest.createTouchDevice())  # through the window

    def at(x: int, y: int) -> QPoint:
        return pad.canvas.mapTo(pad, QPoint(x, y))

    touch.press(0, at(20, 20))
    touch.commit()
    for x in (40, 60, 80):
        touch.move(0, at(x, x // 2 + 20))
        touch.commit()
    touch.release(0, at(80, 60))
    touch.commit()
    assert len(pad.canvas.strokes) == 1
    assert len(pad.canvas.strokes[0].points) >= 3
    assert pad.to_png().startswith(b"\x89PNG")


def test_drawing_with_a_pen_uses_its_pressure(qtbot: Any) -> None:
    from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
    from PySide6.QtGui import QInputDevice, QPointingDevice, QTabletEvent
    from PySide6.QtWidgets import QApplication

    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(500, 260)
    pad.show()
    canvas = pad.canvas
    pen = QPointingDevice("pen", 1, QInputDevice.DeviceType.Stylus,
                          QPointingDevice.PointerType.Pen,
                          QInputDevice.Capability.Position | QInputDevice.Capability.Pressure,
                          1, 3)

    def send(kind: QEvent.Type, x: float, y: float, pressure: float) -> None:
        event = QTabletEvent(kind, pen, QPointF(x, y),
                             QPointF(canvas.mapToGlobal(QPoint(int(x), int(y)))), pressure,
                             0, 0, 0, 0, 0, Qt.KeyboardModifier.NoModifier,
                             Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton)
        QApplication.sendEvent(canvas, event)

    send(QEvent.Type.TabletPress, 10, 10, 0.2)
    send(QEvent.Type.TabletMove, 60, 40, 1.0)
    send(QEvent.Type.TabletRelease, 60, 40, 0.0)
    widths = canvas.strokes[0].widths
    assert len(widths) == 2 and widths[1] > widths[0]  # pressing harder draws thicker
