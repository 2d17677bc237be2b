"""Does a window fit a 1366x768 laptop screen, and can every label and button show all of
its text?  Used by test_fits_the_screen.py."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QToolBar,
    QWidget,
)

LAPTOP = (1366, 768)
SLACK = 1  # pixels of rounding


def settle(window: QWidget) -> None:
    window.show()
    for _ in range(3):
        QApplication.processEvents()


def _text_cut(widget: QWidget) -> str | None:
    """Why the widget's text does not fit, or None if it does."""
    if isinstance(widget, QLabel):
        if not widget.text() or (widget.pixmap() is not None and not widget.pixmap().isNull()):
            return None
        if widget.wordWrap():
            needed = widget.heightForWidth(widget.width())
            if needed > widget.height() + SLACK:
                return f"needs {needed}px of height, has {widget.height()}"
            return None
        hint = widget.sizeHint()
        if hint.width() > widget.width() + SLACK:
            return f"needs {hint.width()}px of width, has {widget.width()} (no word wrap)"
        return None
    if isinstance(widget, QAbstractButton) and widget.text():
        hint = widget.sizeHint()
        if hint.width() > widget.width() + SLACK:
            return f"needs {hint.width()}px of width, has {widget.width()}"
    return None


def _in_toolbar(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QToolBar):
            return True
        parent = parent.parentWidget()
    return False


def problems(window: QWidget, name: str) -> list[str]:
    """Everything about ``window`` that would not fit a laptop screen."""
    settle(window)
    found = []
    screen = QGuiApplication.primaryScreen()
    area = screen.availableGeometry()
    frame = window.frameGeometry()
    if frame.width() > area.width() or frame.height() > area.height():
        found.append(f"{name}: {frame.width()}x{frame.height()} is larger than the "
                     f"available screen {area.width()}x{area.height()}")
    elif not area.contains(frame):
        found.append(f"{name}: opens partly off the screen at {frame.x()},{frame.y()}")
    minimum = window.minimumSizeHint()
    if minimum.width() > area.width() or minimum.height() > area.height():
        found.append(f"{name}: cannot be made smaller than {minimum.width()}x"
                     f"{minimum.height()}")
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.window() is not window or _in_toolbar(widget):
            continue
        if widget.width() <= 0 or widget.height() <= 0:
            continue
        why = _text_cut(widget)
        if why is not None:
            text = widget.text().replace("\n", " ")[:60]  # type: ignore[attr-defined]
            found.append(f"{name}: {type(widget).__name__} '{text}' {why}")
    return found
