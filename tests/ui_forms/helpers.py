"""Driving widgets like a practitioner: typing, clicking, answering modal dialogs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QWidget

from cse_desktop.ui.forms.field_widgets import FieldEditor

T = TypeVar("T", bound=QWidget)


def type_into(qtbot: Any, editor: FieldEditor, text: str) -> None:
    target = editor.findChild(QPlainTextEdit) or editor.findChild(QLineEdit)
    assert target is not None, f"{editor.field.id} has no text box"
    qtbot.keyClicks(target, text)


def click_option(editor: FieldEditor, value: str) -> None:
    """Click the radio button or tick box for an option value."""
    buttons = editor._buttons.buttons  # type: ignore[attr-defined]
    buttons[value].click()


def when_shown(kind: type[T], action: Callable[[T], None], *, tries: int = 200) -> None:
    """Run ``action`` on the next visible top-level ``kind`` (e.g. a modal dialog that
    ``exec()`` is about to show)."""

    def attempt(left: int) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, kind) and widget.isVisible():
                action(widget)
                return
        if left:
            QTimer.singleShot(20, lambda: attempt(left - 1))

    QTimer.singleShot(0, lambda: attempt(tries))


def draw(widget: QWidget, points: list[tuple[float, float]]) -> None:
    """A stroke with the mouse: press at the first point, move through, release."""
    app = QApplication.instance()
    assert app is not None

    def send(kind: QMouseEvent.Type, x: float, y: float, buttons: Qt.MouseButton) -> None:
        local = QPointF(x, y)
        event = QMouseEvent(kind, local, widget.mapToGlobal(local), Qt.MouseButton.LeftButton
                            if kind != QMouseEvent.Type.MouseMove else Qt.MouseButton.NoButton,
                            buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(widget, event)

    first, *rest = points
    send(QMouseEvent.Type.MouseButtonPress, *first, Qt.MouseButton.LeftButton)
    for x, y in rest:
        send(QMouseEvent.Type.MouseMove, x, y, Qt.MouseButton.LeftButton)
    send(QMouseEvent.Type.MouseButtonRelease, *rest[-1], Qt.MouseButton.NoButton)
