"""Sync widgets for the main window: status-bar indicator, enrolment dialog, conflict review
and a settings page.  Each takes a :class:`~cse_desktop.ui.sync_controller.SyncController`.

    indicator = SyncIndicator(controller)
    window.statusBar().addPermanentWidget(indicator)
    indicator.review_requested.connect(lambda: ConflictReviewDialog(controller, window).exec())
    settings_tabs.addTab(SyncSettingsPage(controller), "Sync")

All controls are keyboard-usable and have accessible names.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..records import Record
from ..sync.conflicts import Conflict
from ..sync.merge import DELETED, MISSING
from .a11y import named
from .announce import announce
from .sizing import fit_to_screen
from .sync_controller import SyncController, SyncState, SyncStatus
from .wording import when

FieldLabel = Callable[[Record, str], str]


def default_label(_record: Record, field: str) -> str:
    if field == DELETED:
        return "Deleted"
    return field.replace("_", " ").capitalize()


def show_value(value: Any) -> str:
    if value is MISSING or value is None or value == "":
        return "(empty)"
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if isinstance(value, list):
        return ", ".join(show_value(v) for v in value) or "(empty)"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, indent=1)
    return str(value)


# -- status bar ---------------------------------------------------------------------------------


def retry_wording(status: SyncStatus) -> tuple[str, str]:
    """The "Try sending it again now" button's text and its description (which names the
    stuck change(s) and their size)."""
    one = len(status.stuck) == 1
    text = "Try sending it again now" if one else "Try sending them again now"
    return text, " ".join(status.stuck)


def can_retry(status: SyncStatus) -> bool:
    return bool(status.stuck) and status.state not in (
        SyncState.SYNCING, SyncState.REVOKED, SyncState.NOT_ENROLLED)


class SyncIndicator(QWidget):
    """Offline / syncing n of m / synced at / conflicts to review, plus "Sync now", and
    "Try sending it again now" while a large change is stuck."""

    review_requested = Signal()

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # No fixed accessible name: the label is read as its text ("Offline: …").
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # messages may come from the service
        self._spoken_state: SyncState | None = None
        self.review_button = named(QPushButton("Review"), "Review sync conflicts",
                                   "Choose between your version and the service's")
        self.sync_button = named(QPushButton("Sync now"), "Sync now",
                                 "Send your changes and receive updates now")
        self.retry_button = named(QPushButton("Try sending it again now"),
                                  "Try sending it again now")
        self.review_button.clicked.connect(self.review_requested)
        self.sync_button.clicked.connect(self._sync_or_stop)
        self.retry_button.clicked.connect(controller.retry_stuck)
        layout.addWidget(self.label)
        layout.addWidget(self.review_button)
        layout.addWidget(self.retry_button)
        layout.addWidget(self.sync_button)
        controller.status_changed.connect(self.show_status)
        self.show_status(controller.status)

    @Slot(object)
    def show_status(self, status: SyncStatus) -> None:
        self._announce_change(status)
        self.label.setText(status.text)
        self.label.setAccessibleDescription(status.message)
        self.label.setToolTip(status.message)
        self.review_button.setVisible(status.conflicts > 0)
        self.review_button.setText(f"Review {status.conflicts}")
        syncing = status.state is SyncState.SYNCING
        # While a round runs the button stops it (a stalled connection never traps the user).
        self.sync_button.setText("Stop sync" if syncing else "Sync now")
        self.sync_button.setAccessibleName("Stop sync" if syncing else "Sync now")
        self.sync_button.setEnabled(status.state not in (
            SyncState.REVOKED, SyncState.NOT_ENROLLED))
        show_retry(self.retry_button, status)

    def _announce_change(self, status: SyncStatus) -> None:
        """Say the new state to screen-reader users when it changes (offline, syncing,
        synced, a problem); not each "3 of 40" step, and not the state shown at start."""
        first = self._spoken_state is None
        if status.state is self._spoken_state:
            return
        self._spoken_state = status.state
        if first:
            return
        message = "Syncing" if status.state is SyncState.SYNCING else status.text
        announce(self.label, message,
                 urgent=status.state in (SyncState.ERROR, SyncState.REVOKED))

    @Slot()
    def _sync_or_stop(self) -> None:
        if self.controller.is_running:
            self.controller.cancel()
        else:
            self.controller.sync_now()


def show_retry(button: QPushButton, status: SyncStatus) -> None:
    text, description = retry_wording(status)
    button.setText(text)
    button.setAccessibleName(text)
    button.setAccessibleDescription(description)
    button.setToolTip(description)
    button.setVisible(can_retry(status))


# -- enrolment -----------------------------------------------------------------------------------


class EnrolmentDialog(QDialog):
    """Service address + enrolment code (+ device name, + certificate file if IT gave one)."""

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Connect to the service")
        intro = QLabel("Enter the service address and the one-time enrolment code from your "
                       "administrator. Your records stay on this computer and are sent to the "
                       "service over an encrypted connection.")
        intro.setWordWrap(True)
        self.address = named(QLineEdit(controller.service_address), "Service address",
                             "For example https://cse.example.org:8443")
        self.address.setPlaceholderText("https://…")
        self.code = named(QLineEdit(), "Enrolment code", "Sixteen letters and digits, e.g. "
                                                         "7KQ2-M9XD-4TRB-P0ZC")
        self.device_name = named(QLineEdit(), "Name of this computer",
                                 "Shown to administrators, e.g. 'Laptop 14'")
        self.ca_file = named(QLineEdit(), "Service certificate file (optional)",
                             "Only if IT gave you a certificate file for the service")
        browse = named(QPushButton("Browse…"), "Choose the service certificate file")
        browse.setAutoDefault(False)  # Return in a field means Connect, not Browse
        browse.clicked.connect(self._browse)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file)
        ca_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Service &address:", self.address)
        form.addRow("Enrolment &code:", self.code)
        form.addRow("&Name of this computer:", self.device_name)
        ca_label = QLabel("Certificate &file:")  # a layout gets no buddy by itself: the
        ca_label.setBuddy(self.ca_file)           # "&" would show instead of Alt+F
        form.addRow(ca_label, ca_row)
        self.message = named(QLabel(), "Connection message")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.connect_button = named(self.buttons.addButton(
            "Connect", QDialogButtonBox.ButtonRole.AcceptRole), "Connect")
        self.connect_button.setDefault(True)
        for button in self.buttons.buttons():  # QPushButtons, made by the button box
            cast(QPushButton, button).setAutoDefault(button is self.connect_button)
        for field in (self.address, self.code, self.device_name, self.ca_file):
            field.returnPressed.connect(self._connect)  # Return in any field means Connect
        self.buttons.accepted.connect(self._connect)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        controller.enrolment_finished.connect(self._finished)
        (self.code if self.address.text() else self.address).setFocus()

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Service certificate", "",
                                              "Certificates (*.pem *.crt);;All files (*)")
        if path:
            self.ca_file.setText(path)

    def _connect(self) -> None:
        if not self.connect_button.isEnabled():
            return  # already connecting
        address, code = self.address.text().strip(), self.code.text().strip()
        if not address or not code:
            self.message.setText("Enter both the service address and the enrolment code.")
            (self.address if not address else self.code).setFocus()
            return
        self.message.setText("Connecting…")
        self.connect_button.setEnabled(False)
        self.controller.enrol(address, code, self.device_name.text().strip() or None,
                              self.ca_file.text().strip() or None)

    @Slot(bool, str)
    def _finished(self, ok: bool, message: str) -> None:
        self.message.setText(message)
        self.connect_button.setEnabled(True)
        if ok:
            self.accept()
        else:
            self.code.setFocus()


# -- conflicts -----------------------------------------------------------------------------------


class ConflictPanel(QWidget):
    """One conflict: each clashing field with both values side by side and a choice."""

    def __init__(self, conflict: Conflict, label: FieldLabel,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conflict = conflict
        self.groups: dict[str, QButtonGroup] = {}
        layout = QVBoxLayout(self)
        theirs_who = conflict.remote_changed_by or "someone else"
        theirs_when = when(conflict.remote_changed_at or conflict.remote.updated_at)
        head = QLabel(f"<b>{conflict.local.record_type.label}</b> changed in two places. "
                      f"Your version: this computer, {when(conflict.local.updated_at)}. "
                      f"The service's version: {theirs_who}, {theirs_when}.")
        head.setWordWrap(True)
        layout.addWidget(head)
        if conflict.signed_on_service:
            note = QLabel("The service's version has been signed, so it is final and will be "
                          "kept. Your values are shown here so that you can add them in an "
                          "addendum.")
            note.setWordWrap(True)
            layout.addWidget(note)
        elif conflict.signed_here:
            note = QLabel("You signed this record on this computer, so your signed version "
                          "will be kept. The service's values stay in its history.")
            note.setWordWrap(True)
            layout.addWidget(note)
        grid = QGridLayout()
        for col, title in enumerate(("Field", "Your version", "The service's version")):
            grid.addWidget(QLabel(f"<b>{title}</b>"), 0, col)
        fixed = conflict.signed_on_service or conflict.signed_here
        for row, clash in enumerate(conflict.clashes(), start=1):
            name = label(conflict.local, clash.field)
            grid.addWidget(QLabel(name), row, 0)
            mine = named(QRadioButton(show_value(clash.mine)), f"{name}: keep your version",
                         f"Your version: {show_value(clash.mine)}")
            theirs = named(QRadioButton(show_value(clash.theirs)),
                           f"{name}: use the service's version",
                           f"The service's version: {show_value(clash.theirs)}")
            group = QButtonGroup(self)
            group.addButton(mine, 0)
            group.addButton(theirs, 1)
            (theirs if conflict.signed_on_service else mine).setChecked(True)
            mine.setEnabled(not fixed)
            theirs.setEnabled(not fixed)
            self.groups[clash.field] = group
            grid.addWidget(mine, row, 1)
            grid.addWidget(theirs, row, 2)
        layout.addLayout(grid)
        layout.addStretch(1)

    def choices(self) -> dict[str, str]:
        return {field: "theirs" if group.checkedId() == 1 else "mine"
                for field, group in self.groups.items()}

    def choose_all(self, side: str) -> None:
        for group in self.groups.values():
            button = group.button(1 if side == "theirs" else 0)
            if button.isEnabled():
                button.setChecked(True)


class ConflictReviewDialog(QDialog):
    """The review queue: pick a conflict, choose per field, apply."""

    def __init__(self, controller: SyncController, parent: QWidget | None = None, *,
                 field_label: FieldLabel = default_label) -> None:
        super().__init__(parent)
        self.controller = controller
        self.field_label = field_label
        self.setWindowTitle("Review sync conflicts")
        fit_to_screen(self, 860, 520)
        self.list = named(QListWidget(), "Conflicts to review")
        self.list.currentRowChanged.connect(self._show)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.panel: ConflictPanel | None = None
        self.keep_all = named(QPushButton("Keep &all mine"), "Keep all of your values")
        self.take_all = named(QPushButton("Use all &theirs"),
                              "Use all of the service's values")
        self.apply_button = named(QPushButton("&Apply choice"), "Apply choice",
                                  "Save your choice for this record and send it")
        self.keep_all.clicked.connect(lambda: self.panel and self.panel.choose_all("mine"))
        self.take_all.clicked.connect(lambda: self.panel and self.panel.choose_all("theirs"))
        self.apply_button.clicked.connect(self.apply)
        close = named(QPushButton("Close"), "Close")
        close.clicked.connect(self.accept)
        self.empty = QLabel("Nothing to review: every change has been merged.")
        buttons = QHBoxLayout()
        for button in (self.keep_all, self.take_all):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(close)
        body = QHBoxLayout()
        body.addWidget(self.list, 1)
        body.addWidget(self.scroll_area, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addLayout(body)
        layout.addLayout(buttons)
        self.conflicts: list[Conflict] = []
        self.reload()

    def reload(self) -> None:
        self.conflicts = self.controller.conflict_queue().open()
        self.list.clear()
        for conflict in self.conflicts:
            fields = ", ".join(self.field_label(conflict.local, f) for f in conflict.fields)
            item = QListWidgetItem(f"{conflict.local.record_type.label}: {fields}")
            item.setData(Qt.ItemDataRole.AccessibleTextRole,
                         f"{conflict.local.record_type.label}, fields {fields}")
            self.list.addItem(item)
        has_any = bool(self.conflicts)
        self.empty.setVisible(not has_any)
        for widget in (self.apply_button, self.keep_all, self.take_all):
            widget.setEnabled(has_any)
        if has_any:
            self.list.setCurrentRow(0)
        else:
            self._show(-1)

    def _show(self, row: int) -> None:
        if 0 <= row < len(self.conflicts):
            self.panel = ConflictPanel(self.conflicts[row], self.field_label)
            self.scroll_area.setWidget(self.panel)
        else:
            self.panel = None
            self.scroll_area.setWidget(QWidget())

    def apply(self) -> None:
        if self.panel is None:
            return
        self.controller.resolve(self.panel.conflict.id, self.panel.choices())  # type: ignore[arg-type]
        self.reload()


# -- settings ------------------------------------------------------------------------------------


class SyncSettingsPage(QWidget):
    """Service address, how often to sync, and the enrolment."""

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.address = named(QLineEdit(controller.service_address), "Service address")
        self.address.editingFinished.connect(
            lambda: controller.set_service_address(self.address.text()))
        self.interval = named(QSpinBox(), "Sync every (minutes)",
                              "0 means only when you press Sync now")
        self.interval.setRange(0, 240)
        self.interval.setSuffix(" min")
        self.interval.setValue(controller.interval_minutes)
        self.interval.valueChanged.connect(controller.set_interval_minutes)
        self.enrolment = named(QLabel(), "Enrolment")
        self.enrolment.setWordWrap(True)
        self.enrol_button = named(QPushButton("Connect to the service…"),
                                  "Connect to the service")
        self.enrol_button.clicked.connect(self.open_enrolment)
        self.sync_button = named(QPushButton("Sync now"), "Sync now")
        self.sync_button.clicked.connect(self.sync_now)
        self.retry_button = named(QPushButton("Try sending it again now"),
                                  "Try sending it again now")
        self.retry_button.clicked.connect(self.retry_stuck)
        # What the last sync did, here where it was asked for, not only in the status bar.
        self.outcome = named(QLabel(), "Sync result")
        self.outcome.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Service &address:", self.address)
        form.addRow("Sync &every:", self.interval)
        form.addRow("This computer:", self.enrolment)
        row = QHBoxLayout()
        row.addWidget(self.enrol_button)
        row.addWidget(self.sync_button)
        row.addWidget(self.retry_button)
        row.addStretch(1)
        form.addRow(row)
        form.addRow(self.outcome)
        controller.status_changed.connect(lambda _s: self.refresh())
        controller.status_changed.connect(self._show_outcome)
        show_retry(self.retry_button, controller.status)
        self.refresh()

    def sync_now(self) -> None:
        self.outcome.setText("Syncing now…")
        self.controller.sync_now()

    def retry_stuck(self) -> None:
        if self.controller.retry_stuck():
            self.outcome.setText("Sending it again now…")

    @Slot(object)
    def _show_outcome(self, status: SyncStatus) -> None:
        self.outcome.setText(status.message or status.text)
        show_retry(self.retry_button, status)

    def refresh(self) -> None:
        enrolment = self.controller.enrolment()
        if enrolment is None:
            self.enrolment.setText("Not connected. Records stay on this computer only.")
        else:
            self.enrolment.setText(
                f"Connected as {enrolment.user.get('name')} "
                f"({str(enrolment.user.get('role', '')).replace('_', ' ')}), "
                f"device {enrolment.device_id[:8]}, since {enrolment.enrolled_at[:10]}.")
        self.sync_button.setEnabled(enrolment is not None)
        if not self.address.hasFocus():
            self.address.setText(self.controller.service_address)

    def open_enrolment(self) -> None:
        EnrolmentDialog(self.controller, self).exec()
        self.refresh()
