"""Screenshots of each main screen with DEMO data, for looking at (``make screenshots``).

Runs the real app window on a throw-away DEMO store and saves PNGs into ``screenshots/``
(ignored by git): unlock, caseload, child views (one with an overdue interview), return home
interview, checklist (and its list of problems), sign dialog (empty, drawn, with a message),
print record (working and done), performance measures, quick note.
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


def shoot_sign_dialogs(window: AppWindow, form: QWidget) -> None:
    """The sign dialog empty, with a signature drawn, and after Sign with nothing drawn."""
    from PySide6.QtCore import QPointF

    from cse_desktop.ui.forms import SignDialog

    for name in ("08-sign-empty", "08b-sign-drawn", "08c-sign-message"):
        dialog = SignDialog(form.casework, form.record, parent=form)
        dialog.show()
        settle(200)
        if name != "08-sign-empty":
            dialog.declaration.setChecked(True)
        if name == "08b-sign-drawn":
            canvas = dialog.pad.canvas
            canvas._begin(QPointF(30, 60))
            for x in range(40, 320, 14):
                canvas._extend(QPointF(x, 60 + (x * 7) % 50))
            canvas._end()
            dialog.passphrase.setText("not shown")
        if name == "08c-sign-message":
            dialog.sign()
        save(dialog, name)
        dialog.reject()


def shoot_overdue_child(window: AppWindow) -> None:
    rows = window.caseload.model.rows
    overdue = next((r for r in rows if r.rhi_state is RhiState.OVERDUE), None)
    if overdue is None:
        print("no child with an overdue interview in the demo data")
        return
    window.open_child(overdue.child_id)
    wait_until(lambda: window.child.overview is not None
               and window.child.overview.child.id == overdue.child_id
               and not window.runner.busy)
    save(window, "03c-child-overdue-interview")


def shoot_print_record(window: AppWindow) -> None:
    from cse_desktop.services.caseload import Caseload
    from cse_desktop.ui.pdf_dialogs import print_record

    session = window.session
    overview = window.child.overview
    if session is None or overview is None:
        return
    entries = Caseload(session).chronology(overview.child.id)
    signed = next((e for e in entries if e.state.value == "signed"), None)
    if signed is None:
        print("no signed record to print")
        return
    dialog = print_record(session, signed.record_id, parent=window, show=False)
    dialog.show()
    save(dialog, "09-print-record-working")
    wait_until(lambda: dialog.pdf is not None or dialog.error is not None, 60_000)
    save(dialog, "09b-print-record-done")
    dialog.reject()


def shoot_measures(window: AppWindow) -> None:
    from cse_desktop.ui.measures_view import MeasuresDialog

    if window.session is None:
        return
    dialog = MeasuresDialog(window.session, window)
    dialog.show()
    settle(1500)
    save(dialog, "10-performance-measures")
    dialog.close()


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
    window.show()  # at the size it chooses for this screen
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
            save(form, "04-return-interview")
            form.close()
    else:
        print("no interview due for this child: no RHI screenshot")
    form = window.new_checklist(child.child_id)
    if form is not None:
        save(form, "05-checklist")
        form.view.request_sign()  # nothing answered: the compact list of problems
        save(form, "05b-checklist-problems")
        shoot_sign_dialogs(window, form)
        form.close()
    shoot_overdue_child(window)
    shoot_print_record(window)
    shoot_measures(window)
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
