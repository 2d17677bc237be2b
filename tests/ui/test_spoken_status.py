"""What a screen reader is told without the practitioner moving focus: sync state changes
are announced; and no toolbar has an unnamed check box."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractButton, QToolBar, QToolButton

from cse_desktop.crypto.keyfile import KdfParams
from cse_desktop.store import Store
from cse_desktop.ui.a11y import TOOLBAR_MORE, unnamed_controls
from cse_desktop.ui.announce import listening
from cse_desktop.ui.sync_controller import SyncController, SyncState, SyncStatus
from cse_desktop.ui.sync_widgets import SyncIndicator

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def controller(tmp_path: Path, qtbot: Any) -> Any:
    store = Store.create(tmp_path / "dev", PASSPHRASE, kdf=KdfParams.fast_for_tests())
    ctl = SyncController(store)
    yield ctl
    ctl.stop()
    if store.is_open:
        store.lock()


def test_sync_state_changes_are_announced_once_each(controller: SyncController,
                                                    qtbot: Any) -> None:
    synced_at = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    with listening() as heard:
        indicator = SyncIndicator(controller)  # the state at start is shown, not said
        qtbot.addWidget(indicator)
        assert heard == []
        for status in (
            SyncStatus(SyncState.OFFLINE, "No connection"),
            SyncStatus(SyncState.SYNCING, "", done=0, total=40),
            SyncStatus(SyncState.SYNCING, "", done=3, total=40),  # progress: not said again
            SyncStatus(SyncState.SYNCED, "", last_synced=synced_at, conflicts=2),
            SyncStatus(SyncState.ERROR, "The service refused this computer's certificate."),
        ):
            controller.status_changed.emit(status)
    said = [(a.message, a.urgent) for a in heard]
    assert said[0] == ("Offline: your work is saved on this computer", False)
    assert said[1] == ("Syncing", False)
    assert said[2][0].startswith("Synced at ") and said[2][0].endswith("· 2 to review")
    assert said[3] == ("The service refused this computer's certificate.", True)
    assert len(said) == 4
    assert all(a.source is indicator.label for a in heard)
    # The label is read as its text, not a fixed name that hides it.
    assert indicator.label.accessibleName() in ("", indicator.label.text())


def test_hostile_status_text_is_said_as_plain_words(controller: SyncController,
                                                    qtbot: Any) -> None:
    indicator = SyncIndicator(controller)
    qtbot.addWidget(indicator)
    with listening() as heard:
        controller.status_changed.emit(SyncStatus(SyncState.ERROR, "  <b>x</b>\n  "))
        controller.status_changed.emit(SyncStatus(SyncState.PARTIAL, ""))
    assert [a.message for a in heard] == ["<b>x</b>", "Sync incomplete:"]


def test_no_toolbar_has_an_unnamed_check_box(qtbot: Any, make_window: Any) -> None:
    """Each toolbar's overflow button (">>", a checkable button to a screen reader) is
    named; AT-SPI found two unnamed check boxes, one per toolbar."""
    window = make_window()
    toolbars = window.findChildren(QToolBar)
    assert {t.windowTitle() for t in toolbars} >= {"Main", "Demo warning"}
    for toolbar in toolbars:
        for button in toolbar.findChildren(QAbstractButton):
            iface = QAccessible.queryAccessibleInterface(button)
            assert iface.text(QAccessible.Text.Name).strip(), (toolbar.windowTitle(), button)
    more = window.toolbar.findChild(QToolButton, TOOLBAR_MORE)
    assert more is not None and more.isCheckable()
    assert more.accessibleName() == "More from the Main toolbar"
    assert unnamed_controls(window) == []
