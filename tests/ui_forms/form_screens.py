"""Screenshots of the form widgets with synthetic data, to look at them.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python -m tests.ui_forms.form_screens OUT

Writes PNGs into OUT (default /tmp/form-screens): the interview (top, middle, actions, with
problems, overdue, signed), the checklist with its risk panel, the signing dialog, the
addendum dialog and the quick case note.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from cse_desktop.clock import SYSTEM_CLOCK
from cse_desktop.crypto.keyfile import KdfParams
from cse_desktop.records import Role
from cse_desktop.services.casework import Casework
from cse_desktop.services.session import first_run
from cse_desktop.ui.forms import AddendumDialog, FormWindow, QuickNoteDialog, SignDialog
from cse_desktop.ui.forms.timefmt import utc_iso

SIZE = (1366, 740)  # a laptop screen less the task bar


def draw_demo_signature(dialog: SignDialog) -> None:
    from tests.ui_forms.helpers import draw

    dialog.pad.canvas.resize(480, 150)
    points = [(40 + i * 9, 90 + (25 if i % 4 < 2 else -25) * (1 - i / 40)) for i in range(40)]
    draw(dialog.pad.canvas, points)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    try:
        from cse_desktop.ui.theme import apply_theme

        apply_theme(app)  # as the app looks
    except ImportError:
        pass
    session = first_run(Path(tempfile.mkdtemp()) / "store", "passphrase-123",
                        name="Sam Okafor", role=Role.OUTREACH_WORKER,
                        kdf=KdfParams.fast_for_tests())
    casework = Casework(session)
    child = casework.add_child({"first_name": "Zoë", "last_name": "Nowak",
                                "date_of_birth": "2011-05-14", "preferred_name": "Zo"})
    now = SYSTEM_CLOCK.now().replace(microsecond=0)

    def episode(hours_ago: int) -> str:
        record = casework.record_episode(child.id, {
            "missing_or_absent": "missing", "reported_by": "residential_home",
            "went_missing_at": utc_iso(now - timedelta(hours=hours_ago + 20)),
            "returned_at": utc_iso(now - timedelta(hours=hours_ago)),
            "where_found": "Bus station, Leeds",
        })
        return record.id

    def shot(widget: QWidget, name: str) -> None:
        app.processEvents()
        widget.grab().save(str(out / f"{name}.png"))
        print("wrote", out / f"{name}.png")

    def window(record_id: str) -> FormWindow:
        win = FormWindow(casework, casework.open_record(record_id), autosave_ms=60_000)
        win.resize(*SIZE)
        win.show()
        app.processEvents()
        return win

    rhi = casework.start_return_interview(episode(53))
    win = window(rhi.id)
    shot(win, "rhi-top")
    win.view.set_answers({**win.view.raw_answers(), "harm_experienced": "yes",
                          "where_stayed": "A flat above a takeaway, she thinks in Bradford.",
                          "travel": ["car_unknown"], "pull_factors": ["older_associates"]})
    win.view.scroll_to_section("while_missing")
    shot(win, "rhi-while-missing")
    win.view.editors["actions"].add_row({"what": "Tell her social worker about the flat",
                                         "owner": "Sam Okafor", "due_date": "2026-11-25"})
    win.view.editors["actions"].add_row({"what": "Share with police missing team",
                                         "owner": "PC Hart"})
    app.processEvents()
    win.view.scroll_area.verticalScrollBar().setValue(win.view.scroll_area.verticalScrollBar().maximum())
    shot(win, "rhi-actions")
    win.view.problems_before_signing()
    win.view.scroll_area.verticalScrollBar().setValue(0)
    shot(win, "rhi-problems")
    win.view.scroll_to_section("timing")
    shot(win, "rhi-problem-under-field")
    win.view.flush()
    win.view.shutdown()

    late = casework.start_return_interview(episode(80))
    win2 = window(late.id)
    shot(win2, "rhi-overdue")

    answers = {**win.view.answers(), "offered_at": utc_iso(now - timedelta(hours=50)),
               "outcome": "completed", "completed_at": utc_iso(now - timedelta(hours=49)),
               "interviewer_independent": "yes", "harm_details": "Pushed by an older man.",
               "childs_words": "I just wanted to be with my mates."}
    casework.save_draft(rhi.id, answers)
    casework.sign(rhi.id, answers, "passphrase-123", None)
    casework.add_addendum(rhi.id, "Police reference was missing",
                          "The police reference is WY-2211-0042.")
    signed = window(rhi.id)
    shot(signed, "rhi-signed")
    signed.view.scroll_to_section("__addenda__")
    shot(signed, "rhi-signed-addenda")

    checklist = casework.start_draft("warning_signs", child.id)
    win3 = window(checklist.id)
    editors = win3.view.editors
    values = {"missing_repeatedly": "yes", "gang_association": "yes", "self_harm": "not_known",
              "unexplained_money_or_gifts": "yes", "found_with_adults_of_concern": "yes",
              "missing_overnight": "no", "absent_from_school": "no"}
    for field_id, answer in values.items():
        editors[field_id].set_value({"answer": answer})
    win3.view.set_answers(win3.view.raw_answers())
    shot(win3, "checklist")
    win3.view.scroll_to_section("serious_concerns")
    shot(win3, "checklist-serious")

    def grab_dialog(kind: type, name: str) -> None:
        def act() -> None:
            for widget in QApplication.topLevelWidgets():
                if isinstance(widget, kind) and widget.isVisible():
                    shot(widget, name)
                    widget.reject()
                    return
            QTimer.singleShot(50, act)
        QTimer.singleShot(50, act)

    grab_dialog(SignDialog, "sign-dialog")
    SignDialog(casework, casework.open_record(checklist.id), parent=win3).exec()

    def wrong_passphrase() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, SignDialog) and widget.isVisible():
                if widget.is_busy():
                    break
                if not widget.message.text():
                    widget.declaration.setChecked(True)
                    widget.pad.canvas.strokes.clear()
                    draw_demo_signature(widget)
                    widget.passphrase.setText("not my passphrase")
                    widget.sign()
                    break
                shot(widget, "sign-dialog-wrong-passphrase")
                widget.reject()
                return
        QTimer.singleShot(50, wrong_passphrase)

    QTimer.singleShot(50, wrong_passphrase)
    SignDialog(casework, casework.open_record(checklist.id), parent=win3).exec()
    grab_dialog(AddendumDialog, "addendum-dialog")
    AddendumDialog(casework, casework.open_record(rhi.id), parent=signed).exec()
    note = QuickNoteDialog(casework, child.id, confirm_discard=False)
    note.show()
    shot(note, "quick-note")
    for w in (win2, signed, win3):
        w.view.shutdown()
    session.lock()


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/form-screens"))
