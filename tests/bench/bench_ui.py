"""Desktop app benchmark (`make bench ARGS=ui`, or `python -m tests.bench.bench_ui`).

- cold start: a fresh Python process, from launch until the unlock screen has been shown
  (goal < 1.5 s).  Median of 5 starts.
- unlock to caseload: from pressing Unlock (passphrase key derivation with the real
  settings included) until the caseload table shows all 2,000 children (goal < 2 s).

Synthetic data only: 2,000 children from ``generate_caseload`` with their episodes, signed
interviews and checklists, and notes, written in bulk.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

CHILDREN = 2_000
COLD_STARTS = 5
PASSPHRASE = "a bench passphrase long enough"
COLD_START_GOAL = 1.5
UNLOCK_GOAL = 2.0

COLD_START_SCRIPT = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from cse_desktop.clock import SYSTEM_CLOCK
from cse_desktop.ui.app_window import AppOptions, AppWindow
from cse_desktop.ui.theme import apply_theme, prepare_high_dpi
from pathlib import Path
prepare_high_dpi()
app = QApplication(sys.argv[:1])
apply_theme(app)
window = AppWindow(AppOptions(data_dir=Path(sys.argv[1])))
window.show()
def shown():
    assert window.pages.currentWidget() is window.unlock_page
    print("ready", flush=True)
    app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""


def build_store(directory: Path, children: int = CHILDREN) -> None:
    """A store with ``children`` synthetic children (real key stretching), written in bulk."""
    from cse_desktop.clock import SYSTEM_CLOCK
    from cse_desktop.demo.synthetic import generate_caseload
    from cse_desktop.records import (
        Record,
        RecordState,
        RecordType,
        Role,
        Signature,
        new_id,
    )
    from cse_desktop.services.session import first_run

    session = first_run(directory, PASSPHRASE, name="Bench Worker", role=Role.OUTREACH_WORKER)
    actor = session.actor
    now = SYSTEM_CLOCK.now()
    signature = Signature(actor.name, actor.role.label, now)

    def record(kind: RecordType, form_id: str, data: dict, child_id: str,
               record_id: str | None = None, signed: bool = False) -> Record:
        return Record(record_id or new_id(), kind, form_id, 1, data, actor.name,
                      actor.device_id, now, now, child_id=child_id,
                      state=RecordState.SIGNED if signed else RecordState.DRAFT,
                      signature=signature if signed else None)

    records: list[Record] = []
    for child in generate_caseload(children, seed=11):
        records.append(record(RecordType.CHILD, "child", child.child, child.id, child.id))
        for episode in child.episodes:
            records.append(record(RecordType.MISSING_EPISODE, "missing_episode",
                                  episode.answers, child.id, episode.id))
            if episode.rhi is not None:
                records.append(record(RecordType.RETURN_INTERVIEW, "return_interview",
                                      episode.rhi, child.id, signed=True))
        for checklist in child.checklists:
            records.append(record(RecordType.WARNING_SIGNS, "warning_signs", checklist,
                                  child.id, signed=True))
        for note in child.notes:
            records.append(record(RecordType.CASE_NOTE, "case_note", note, child.id,
                                  signed=True))
    session.store.add_many(records, actor)
    print(f"  ({len(records):,} records for {children:,} children)")
    session.lock()


def cold_start(directory: Path) -> float:
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", COLD_START_SCRIPT, str(directory)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - started
    process.wait(timeout=30)
    if line.strip() != "ready":
        raise RuntimeError("the app did not reach the unlock screen")
    return elapsed


def unlock_to_caseload(directory: Path) -> tuple[float, float]:
    """(seconds to the full caseload, of which the passphrase key derivation)."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from cse_desktop.crypto.keyfile import KdfParams, derive_passphrase_key
    from cse_desktop.ui.app_window import AppOptions, AppWindow
    from cse_desktop.ui.theme import apply_theme

    app = QApplication.instance() or QApplication([])
    apply_theme(app)
    window = AppWindow(AppOptions(data_dir=directory))
    window.resize(1366, 768)
    window.show()
    loop = QEventLoop()
    finished: list[float] = []

    def loaded() -> None:
        if window.caseload.model.rowCount() == CHILDREN and not finished:
            window.caseload.table.viewport().repaint()
            finished.append(time.perf_counter())
            loop.quit()

    window.caseload.loaded.connect(loaded)
    window.unlock_page.passphrase.setText(PASSPHRASE)
    started = time.perf_counter()
    window.unlock_page.submit()
    QTimer.singleShot(60_000, loop.quit)
    loop.exec()
    if not finished:
        raise RuntimeError("the caseload did not load within a minute")
    kdf_started = time.perf_counter()
    derive_passphrase_key(PASSPHRASE, b"0" * 16, KdfParams())
    kdf = time.perf_counter() - kdf_started
    window.lock()
    window.close()
    return finished[0] - started, kdf


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="cse-bench-ui-") as folder:
        directory = Path(folder) / "records"
        print(f"building a store with {CHILDREN:,} synthetic children…", flush=True)
        build_store(directory)
        starts = [cold_start(directory) for _ in range(COLD_STARTS)]
        total, kdf = unlock_to_caseload(directory)
    cold = statistics.median(starts)
    rows = [
        ("cold start to unlock screen (median of 5)", cold, COLD_START_GOAL),
        (f"unlock to caseload, {CHILDREN:,} children", total, UNLOCK_GOAL),
        ("  of which passphrase key derivation", kdf, None),
    ]
    print(f"{'measure':<46} {'seconds':>8} {'goal':>7}  result")
    for name, seconds, goal in rows:
        verdict = "" if goal is None else ("met" if seconds < goal else "MISSED")
        goal_text = "" if goal is None else f"< {goal:.1f}"
        print(f"{name:<46} {seconds:>8.2f} {goal_text:>7}  {verdict}")
    print(f"cold starts: {', '.join(f'{s:.2f}' for s in starts)} s")


if __name__ == "__main__":
    main()
