"""Windows that fit the screen they open on, and dialogs that grow with their text.

A council laptop is often 1366x768 with a taskbar, so a window asked for 1280x800 would put
its status bar (sync state, "choose a child first") off the bottom of the screen.  Every
top-level window and dialog sizes itself through here instead of a bare ``resize``.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLayout, QWidget

# Room for what the window manager adds around a window (title bar and borders), which is
# not part of the widget's own size.
FRAME_ALLOWANCE = QSize(16, 40)


def available_area(widget: QWidget | None = None) -> QRect:
    """The usable part of the screen the widget is on (or the main screen): the whole screen
    minus taskbars and docks."""
    screen = None
    if widget is not None and widget.isVisible():
        screen = QGuiApplication.screenAt(widget.frameGeometry().center())
    screen = screen or QGuiApplication.primaryScreen()
    if screen is None:  # pragma: no cover - no screen at all
        return QRect(0, 0, 1366, 768)
    return QRect(screen.availableGeometry())


def largest_size(widget: QWidget | None = None) -> QSize:
    """The biggest window size that still fits on screen with its frame."""
    area = available_area(widget)
    return QSize(max(320, area.width() - FRAME_ALLOWANCE.width()),
                 max(240, area.height() - FRAME_ALLOWANCE.height()))


def fit_to_screen(window: QWidget, width: int, height: int, *, centre: bool = True) -> QSize:
    """Resize ``window`` to ``width`` x ``height``, or less where the screen is smaller, and
    (for a window not shown yet) centre it on the available area.  Returns the size used."""
    limit = largest_size(window)
    size = QSize(min(width, limit.width()), min(height, limit.height()))
    window.resize(size)
    if centre and not window.isVisible():
        area = available_area(window)
        left = area.x() + max(0, (area.width() - size.width()) // 2)
        top = area.y() + max(0, (area.height() - size.height() - FRAME_ALLOWANCE.height()) // 2)
        window.move(left, top)
    return size


def grow_with_text(dialog: QWidget, *, minimum_width: int = 0) -> None:
    """Let a dialog's layout decide its size from its text (word-wrapped labels included),
    never smaller than that and never bigger than the screen.  Call after building it."""
    layout = dialog.layout()
    if layout is not None:
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
    limit = largest_size(dialog)
    dialog.setMaximumSize(limit)
    if minimum_width:
        dialog.setMinimumWidth(min(minimum_width, limit.width()))
    fit_text(dialog)


def fit_text(dialog: QWidget) -> None:
    """After a message changed: make the dialog at least as tall as its content needs at its
    current width (word-wrapped labels measured with heightForWidth), within the screen."""
    layout = dialog.layout()
    if layout is None:
        return
    layout.activate()
    width = max(dialog.width(), layout.minimumSize().width())
    needed = (layout.heightForWidth(width) if layout.hasHeightForWidth()
              else layout.sizeHint().height())
    needed = max(needed, layout.minimumSize().height())
    limit = largest_size(dialog)
    height = min(max(dialog.height(), needed), limit.height())
    if height != dialog.height() or width != dialog.width():
        dialog.resize(min(width, limit.width()), height)
