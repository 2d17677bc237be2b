"""Qt widget tests: offscreen, fast key stretching, synthetic data only."""

from __future__ import annotations

import os

# Offscreen, on a screen the size of a council laptop's (1366x768), so windows that would
# not fit one are caught here.
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = ("offscreen:configfile="
                                     + os.path.join(os.path.dirname(__file__), "..", "ui",
                                                    "laptop_screen.json"))

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from cse_desktop.crypto.keyfile import KdfParams
from cse_desktop.records import Role
from cse_desktop.services.casework import Casework
from cse_desktop.services.session import Session, first_run
from cse_desktop.ui.app_window import AppOptions, AppWindow

PASSPHRASE = "correct horse battery staple"
NAME = "Sam Practitioner"
FAST = KdfParams.fast_for_tests()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "records"


@pytest.fixture
def make_window(qtbot, data_dir: Path) -> Iterator[Callable[..., AppWindow]]:
    made: list[AppWindow] = []

    def make(**options) -> AppWindow:
        window = AppWindow(AppOptions(data_dir=data_dir, kdf=FAST, **options))
        qtbot.addWidget(window)
        window.show()
        made.append(window)
        return window

    yield make
    for window in made:
        window.runner.cancel_all()
        window.runner.wait()


def first_run_through_ui(qtbot, window: AppWindow, name: str = NAME,
                         passphrase: str = PASSPHRASE) -> None:
    page = window.first_run_page
    assert page is not None and window.pages.currentWidget() is page
    qtbot.keyClicks(page.name, name)
    qtbot.keyClicks(page.passphrase, passphrase)
    qtbot.keyClicks(page.confirm, passphrase)
    assert page.create_button.isEnabled()
    qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.is_unlocked, timeout=10_000)


def unlock_through_ui(qtbot, window: AppWindow, passphrase: str = PASSPHRASE) -> None:
    page = window.unlock_page
    assert window.pages.currentWidget() is page
    page.passphrase.clear()
    qtbot.keyClicks(page.passphrase, passphrase)
    qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.is_unlocked, timeout=10_000)


def wait_for_caseload(qtbot, window: AppWindow) -> None:
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=10_000)


@pytest.fixture
def existing_store(data_dir: Path) -> Callable[..., Session]:
    """A store made through the services (the UI then unlocks it)."""

    def make(**kwargs) -> Session:
        return first_run(data_dir, PASSPHRASE, name=NAME, role=Role.OUTREACH_WORKER, kdf=FAST,
                         **kwargs)

    return make


def add_child(session: Session, first: str, last: str, **answers) -> str:
    work = Casework(session)
    record = work.add_child({"first_name": first, "last_name": last,
                             "date_of_birth": "2011-04-05", **answers})
    return record.id
