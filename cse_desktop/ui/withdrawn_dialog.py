"""Child > Children taken off your caseload…: see changes the service refused for a withdrawn
child, save them to a rescue file for the administrator, and let the child go."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..services.session import Session
from ..services.withdrawn import KeptChild, WithdrawnChildren


def describe(kept: KeptChild) -> str:
    lines = [kept.name]
    lines += [f"  • {c.what}: not accepted — {c.reason}" for c in kept.refused]
    if kept.waiting:
        lines.append(f"  • {kept.waiting} more change(s) not sent yet")
    return "\n".join(lines)


class WithdrawnDialog(QDialog):
    """Lists the kept children; Save and remove runs off the UI thread."""

    def __init__(self, session: Session, runner: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Children taken off your caseload")
        self.service = WithdrawnChildren(session)
        self.runner = runner
        layout = QVBoxLayout(self)
        intro = QLabel("The service took these children off your caseload, but did not accept "
                       "some of your changes, so they are still on this computer. Save the "
                       "changes to a rescue file for your administrator, then the child's "
                       "records are removed from this computer.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget()
        self.list.setAccessibleName("Children kept on this computer")
        layout.addWidget(self.list)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.release_button = QPushButton("&Save to rescue file and remove")
        buttons.addButton(self.release_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.release_button.clicked.connect(self.release_selected)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        for kept in self.service.kept():
            item = QListWidgetItem(describe(kept))
            item.setData(Qt.ItemDataRole.UserRole, kept.child_id)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        else:
            self.message.setText("No children are waiting to leave this computer.")
        self.release_button.setEnabled(self.list.count() > 0)

    def release_selected(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.release_button.setEnabled(False)
        self.message.setText("Saving the rescue file…")
        self.runner.run(self.service.rescue_and_release, item.data(Qt.ItemDataRole.UserRole),
                        on_result=self._released, on_error=self._failed)

    def _released(self, path: object) -> None:
        self.refresh()
        self.message.setText(f"Saved to {path}. Give this file to your administrator. The "
                             "child's records were removed from this computer.")

    def _failed(self, exc: BaseException) -> None:
        self.release_button.setEnabled(True)
        self.message.setText(f"Nothing was removed: {exc}")


def install(window: Any) -> QAction:
    """Add Child > Children taken off your caseload… to the main window."""
    action = QAction("Children taken off your &caseload…", window)
    action.setStatusTip("Save changes the service refused and let withdrawn children go")
    for menu_action in window.menuBar().actions():
        if menu_action.menu() is not None and menu_action.text() == "C&hild":
            menu_action.menu().addAction(action)

    def open_dialog() -> None:
        session = getattr(window, "session", None)
        if session is None:
            QMessageBox.information(window, "Locked", "Unlock your records first.")
            return
        dialog = WithdrawnDialog(session, window.runner, window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.withdrawn_dialog = dialog
        dialog.show()

    action.triggered.connect(open_dialog)
    window.withdrawn_action = action
    return action
