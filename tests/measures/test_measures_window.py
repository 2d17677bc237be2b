"""Team > Performance measures… in the main window: team leads only, opens a child from a
figure, and closes when the app locks."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from cse_desktop.crypto import KdfParams
from cse_desktop.records import Role
from cse_desktop.services.session import first_run
from cse_desktop.ui.app_window import AppOptions, AppWindow
from cse_desktop.ui.measures_view import MeasuresDialog
from tests.measures.dataset import build

PASSPHRASE = "a synthetic test passphrase"
FAST = KdfParams.fast_for_tests()


def _window(qtbot, data_dir: Path, role: Role) -> AppWindow:  # type: ignore[no-untyped-def]
    session = first_run(data_dir, PASSPHRASE, name="Tess Lead", role=role, kdf=FAST)
    built = build(session, PASSPHRASE) if role is Role.TEAM_LEAD else None
    session.lock()
    window = AppWindow(AppOptions(data_dir=data_dir, kdf=FAST))
    qtbot.addWidget(window)
    window.show()
    page = window.unlock_page
    qtbot.keyClicks(page.passphrase, PASSPHRASE)
    qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.is_unlocked, timeout=10_000)
    window.built = built  # type: ignore[attr-defined]
    return window


def _dialogs() -> list[MeasuresDialog]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, MeasuresDialog) and w.isVisible()]


def test_lead_opens_measures_and_a_child(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, tmp_path / "lead", Role.TEAM_LEAD)
    action = window.measures_action  # type: ignore[attr-defined]
    action.trigger()
    dialogs = _dialogs()
    assert len(dialogs) == 1
    view = dialogs[0].view
    view.picker.year.setValue(2026)
    view.picker.quarter.setCurrentIndex(0)
    qtbot.waitUntil(lambda: view.result is not None
                    and view.result.measures.period.label.startswith("Q1 2026"),
                    timeout=10_000)
    view.table.selectRow(0)
    assert view.counted.count() == 4  # children offered an RHI in time
    child_id = window.built.children["A"]  # type: ignore[attr-defined]
    view.child_activated.emit(child_id)
    assert window.workspace.currentWidget() is window.child
    assert window.child.child_id == child_id
    window.lock()
    assert _dialogs() == []
    assert view.session is None
    window.runner.wait()
    view.runner.wait()


@pytest.mark.parametrize("role", [Role.OUTREACH_WORKER])
def test_practitioner_cannot_open_it(qtbot, tmp_path: Path, role: Role) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, tmp_path / "worker", role)
    window.measures_action.trigger()  # type: ignore[attr-defined]
    assert _dialogs() == []
    window.runner.wait()


def test_the_measures_window_of_a_demo_store_says_demo(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    demo = first_run(tmp_path / "demo", PASSPHRASE, name="Demo Team lead", role=Role.TEAM_LEAD,
                     kdf=FAST, demo=True)
    real = first_run(tmp_path / "real", PASSPHRASE, name="Tess Lead", role=Role.TEAM_LEAD,
                     kdf=FAST)
    try:
        shown = MeasuresDialog(demo)
        qtbot.addWidget(shown)
        assert shown.demo_banner is not None and "DEMO" in shown.demo_banner.text()
        assert "DEMO" in shown.windowTitle()
        plain = MeasuresDialog(real)
        qtbot.addWidget(plain)
        assert plain.demo_banner is None and "DEMO" not in plain.windowTitle()
        for dialog in (shown, plain):
            dialog.close()
    finally:
        demo.lock()
        real.lock()
