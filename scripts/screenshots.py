"""Screenshots of each main screen with DEMO data, for looking at (``make screenshots``).

Runs the real app window on a throw-away DEMO store and saves PNGs into ``screenshots/``
(ignored by git): unlock, caseload, child view, return home interview, checklist, quick note.
Run it under Xvfb:  xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cse_desktop.app import demo_unlock_hint, prepare_demo_store  # noqa: E402
from cse_desktop.services.caseload import RhiState  # noqa: E402
from cse_desktop.services.demo_data import DEMO_PASSPHRASE  # noqa: E402
from cse_desktop.ui.app_window import AppOptions, AppWindow  # noqa: E402
from cse_desktop.ui.theme import apply_theme, prepare_high_dpi  # noqa: E402

OUT = ROOT / "screenshots"


def settle(ms: int = 400) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(condition: Callable[[], bool], timeout_ms: int = 15_000) -> None:
    waited = 0
    while not condition():
        if waited > timeout_ms:
            raise TimeoutError("the app did not get there in time")
        settle(50)
        waited += 50


def save(widget: QWidget, name: str) -> None:
    settle()
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    print(f"saved {path.relative_to(ROOT)}")


def shoot_dialog(window: AppWindow, open_it: Callable[[], object], name: str) -> None:
    """Dialogs run their own loop: take the picture from inside it, then close it."""

    def take() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, QDialog) and w.isVisible()]
        if dialogs:
            save(dialogs[-1], name)
            dialogs[-1].reject()

    QTimer.singleShot(900, take)
    open_it()


def main() -> int:
    OUT.mkdir(exist_ok=True)
    prepare_high_dpi()
    app = QApplication(sys.argv[:1])
    apply_theme(app)
    folder = Path(tempfile.mkdtemp(prefix="cse-screens-"))
    first = AppWindow(AppOptions(data_dir=folder / "new"))
    first.resize(1366, 740)
    first.show()
    page = first.first_run_page
    assert page is not None
    page.name.setText("Sam Example")
    page.passphrase.setText("blue kettle on a windy hill")
    save(first, "00-first-run")
    first.close()

    data = folder / "demo"
    print("preparing demo store…")
    prepare_demo_store(data)
    window = AppWindow(AppOptions(data_dir=data, demo=True, unlock_hint=demo_unlock_hint()))
    window.resize(1366, 740)
    window.show()
    save(window, "01-unlock")

    page = window.unlock_page
    page.passphrase.setText(DEMO_PASSPHRASE)
    page.submit()
    wait_until(lambda: window.is_unlocked)
    wait_until(lambda: not window.runner.busy and window.caseload.model.rowCount() > 0)
    save(window, "02-caseload")
    shoot_dialog(window, window.add_child, "02b-add-child")

    rows = window.caseload.model.rows
    child = next((r for r in rows if r.rhi_state is RhiState.DUE), rows[0])
    window.open_child(child.child_id)
    wait_until(lambda: window.child.overview is not None and not window.runner.busy)
    save(window, "03-child")

    overview = window.child.overview
    busy = max(rows, key=lambda r: r.episodes)  # a child with a long history
    window.open_child(busy.child_id)
    wait_until(lambda: window.child.overview is not None
               and window.child.overview.child.id == busy.child_id and not window.runner.busy)
    save(window, "03b-child-with-history")
    window.open_child(child.child_id)
    wait_until(lambda: window.child.overview is not None
               and window.child.overview.child.id == child.child_id and not window.runner.busy)
    overview = window.child.overview
    due = next((s for s in overview.episodes if s.state is not RhiState.NONE), None)
    if due is not None:
        form = window.start_interview(due.episode.id)
        if form is not None:
            form.resize(1300, 740)
            save(form, "04-return-interview")
            form.close()
    else:
        print("no interview due for this child: no RHI screenshot")
    form = window.new_checklist(child.child_id)
    if form is not None:
        form.resize(1000, 740)
        save(form, "05-checklist")
        form.close()
    if window.note_action.isEnabled():
        shoot_dialog(window, lambda: window.new_note(child.child_id), "06-quick-note")
    else:
        print("the form widgets are not installed yet: no form screenshots")
    window.lock("Locked after 5 minutes without activity.")
    save(window, "07-locked")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
