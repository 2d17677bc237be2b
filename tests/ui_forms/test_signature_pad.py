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
