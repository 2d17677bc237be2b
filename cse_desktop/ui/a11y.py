"""Accessibility helpers: every control gets a name a screen reader can say."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QToolBar,
    QToolButton,
    QWidget,
)

W = TypeVar("W", bound=QWidget)

INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QPlainTextEdit,
               QTextEdit, QAbstractSpinBox, QAbstractSlider, QTabBar)


def named(widget: W, name: str, description: str = "") -> W:
    """Give ``widget`` an accessible name (and description), and return it."""
    widget.setAccessibleName(name)
    if description:
        widget.setAccessibleDescription(description)
        if not widget.toolTip():
            widget.setToolTip(description)
    return widget


TOOLBAR_MORE = "qt_toolbar_ext_button"  # Qt's ">>" button for what does not fit a toolbar


def name_toolbar_overflow(toolbar: QToolBar) -> None:
    """Name a toolbar's overflow button.  Qt gives it no name, and it is a checkable button,
    so a screen reader finds an unnamed check box in every toolbar."""
    button = toolbar.findChild(QToolButton, TOOLBAR_MORE)
    if button is not None:
        title = toolbar.windowTitle()
        named(button, f"More from the {title} toolbar" if title else "More toolbar buttons",
              "Shows the toolbar buttons that do not fit the window")


def unnamed_controls(root: QWidget) -> list[QWidget]:
    """Interactive widgets under ``root`` a screen reader could not name.

    Qt's own inner parts (a combo box's line edit, a scroll area's bars, a spin box's
    editor) are skipped: they are announced through their owner.
    """
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE):
            continue
        if ((widget.objectName().startswith("qt_") and widget.objectName() != TOOLBAR_MORE)
                or _is_inner_part(widget)):
            continue
        if isinstance(widget, QAbstractButton) and widget.text().strip():
            continue  # Qt names a button by its text
        if not widget.accessibleName().strip():
            missing.append(widget)
    return missing


def _is_inner_part(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    if parent is None:
        return False
    ancestor: QWidget | None = parent
    while ancestor is not None:  # a combo box's pop-up list lives a few levels down
        if isinstance(ancestor, QComboBox | QAbstractSpinBox | QTabBar | QLineEdit):
            return True
        ancestor = ancestor.parentWidget()
    if isinstance(widget, QAbstractItemView) and isinstance(parent, QAbstractItemView):
        return True  # a table's header
    return isinstance(widget, QAbstractSlider) and parent.objectName().startswith("qt_")
