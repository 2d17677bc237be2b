"""Helpers that drive the app's dialogs and forms the way a practitioner would."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QPushButton,
    QRadioButton,
    QWidget,
)

from cse_desktop.ui.app_window import AppWindow

from .conftest import PASSPHRASE


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(second=0, microsecond=0).isoformat()


def hours_ago(hours: float) -> str:
    return iso(datetime.now(UTC) - timedelta(hours=hours))


def visible_dialog(kind: type | None = None) -> QDialog | None:
    for widget in QApplication.topLevelWidgets():
        if (isinstance(widget, QDialog) and widget.isVisible()
                and (kind is None or isinstance(widget, kind))):
            return widget
    return None


def while_dialog_open(action: Callable[[], Any], handle: Callable[[QDialog], None],
                      kind: type | None = None) -> Any:
    """Run ``action`` (which opens a modal dialog) and ``handle`` the dialog meanwhile."""
    problems: list[BaseException] = []

    def poll() -> None:
        dialog = visible_dialog(kind)
        if dialog is None:
            QTimer.singleShot(20, poll)
            return
        try:
            handle(dialog)
        except BaseException as exc:  # reported after the dialog closes
            problems.append(exc)
            QDialog.reject(dialog)
            return
        QTimer.singleShot(5_000, dialog, lambda: give_up(dialog))  # dies with the dialog

    def give_up(dialog: QDialog) -> None:
        if dialog.isVisible():
            said = [label.text() for label in dialog.findChildren(QLabel)
                    if label.isVisible() and label.text()]
            problems.append(AssertionError(f"the dialog stayed open; it says: {said}"))
            QDialog.reject(dialog)

    QTimer.singleShot(0, poll)
    result = action()
    if problems:
        raise problems[0]
    return result


def editor_of(form_parts: Any, field_id: str) -> Any:
    for part in form_parts:
        if field_id in part.editors:
            return part.editors[field_id]
    raise KeyError(field_id)


def type_into(qtbot, editor: Any, text: str) -> None:
    target = editor.focus_target()
    target.setFocus()
    qtbot.keyClicks(target, text)


def click_option(qtbot, editor: QWidget, label: str) -> None:
    button = next(b for b in editor.findChildren(QRadioButton) if b.text() == label)
    # Click the round indicator: a stretched radio button is not hit at its centre.
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))
    assert button.isChecked(), f"'{label}' did not take the click"


def button(root: QWidget, text: str) -> QPushButton:
    matches = [b for b in root.findChildren(QPushButton) if b.text() == text and b.isVisible()]
    assert matches, f"no visible button '{text}'"
    return matches[0]


def add_child_through_dialog(qtbot, window: AppWindow, first: str, last: str) -> None:
    def fill(dialog: QDialog) -> None:
        parts = dialog.view.parts
        type_into(qtbot, editor_of(parts, "first_name"), first)
        type_into(qtbot, editor_of(parts, "last_name"), last)
        editor_of(parts, "date_of_birth").set_value("2011-04-05")
        type_into(qtbot, editor_of(parts, "local_reference"), "REF-42")
        qtbot.mouseClick(button(dialog, "Add child"), Qt.MouseButton.LeftButton)

    while_dialog_open(window.add_child, fill)


def record_episode_through_dialog(qtbot, window: AppWindow, returned_hours_ago: float) -> None:
    def fill(dialog: QDialog) -> None:
        parts = dialog.view.parts
        click_option(qtbot, editor_of(parts, "missing_or_absent"), "Missing")
        editor_of(parts, "went_missing_at").set_value(hours_ago(returned_hours_ago + 20))
        editor_of(parts, "returned_at").set_value(hours_ago(returned_hours_ago))
        click_option(qtbot, editor_of(parts, "reported_by"), "Police")
        type_into(qtbot, editor_of(parts, "where_found"), "Bus station in Marrowby")
        qtbot.mouseClick(button(dialog, "Save episode"), Qt.MouseButton.LeftButton)

    while_dialog_open(lambda: qtbot.mouseClick(window.child.episode_button,
                                               Qt.MouseButton.LeftButton), fill)


def draw(canvas: QWidget) -> None:
    """A signature stroke with the left button held down, as a mouse or pen sends it."""
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    points = [QPointF(20 + x, 30 + (x * 7) % 40) for x in range(0, 180, 12)]

    def send(kind: QEvent.Type, point: QPointF, button: Qt.MouseButton,
             buttons: Qt.MouseButton) -> None:
        event = QMouseEvent(kind, point, canvas.mapToGlobal(point), button, buttons,
                            Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(canvas, event)

    send(QEvent.Type.MouseButtonPress, points[0], left, left)
    for point in points[1:]:
        send(QEvent.Type.MouseMove, point, none, left)
    send(QEvent.Type.MouseButtonRelease, points[-1], left, none)


def sign_in_dialog(qtbot, action: Callable[[], Any], passphrase: str = PASSPHRASE) -> Any:
    """Tick the declaration, draw a signature with the mouse, re-enter the passphrase, press
    Sign."""
    from cse_desktop.ui.forms import SignDialog

    def sign(dialog: QDialog) -> None:
        declaration = dialog.declaration
        qtbot.mouseClick(declaration, Qt.MouseButton.LeftButton,
                         pos=QPoint(8, declaration.height() // 2))
        assert declaration.isChecked(), "the declaration did not take the click"
        draw(dialog.pad.canvas)
        qtbot.keyClicks(dialog.passphrase, passphrase)
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)

    return while_dialog_open(action, sign, SignDialog)
