"""Desktop app benchmark (`make bench ARGS=ui`, or `python -m tests.bench.bench_ui`).

Timed the way a practitioner meets the app, each run in a fresh process, after a warm-up run,
repeated, medians and ranges reported:

- cold start: from launch until the unlock screen has been shown (goal < 0.8 s).
- unlock to caseload: from pressing Unlock (passphrase key derivation with the real settings
  included) until the caseload table shows children, 10,000 of them (goal < 1 s); and the
  longest the UI thread was unresponsive meanwhile (a 5 ms heartbeat timer; goal < 100 ms).
- search: "mum" typed one key at a time (120 ms apart) into the caseload search; from the last
  key until the results are shown (goal < 300 ms), and the longest UI stall while typing and
  waiting (goal < 100 ms).

``--quick`` (CSE_BENCH_QUICK=1): 2,000 children, fewer repeats.  ``CSE_BENCH_BASELINE`` = a
directory holding another checkout's ``cse_desktop`` (e.g. ``git archive main``): its runs are
interleaved with this checkout's, on a copy of the same store, for a before/after comparison.

Synthetic data only: children from ``generate_caseload`` with their episodes, signed
interviews and checklists, and notes, written in bulk.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

CHILDREN = 10_000
QUICK_CHILDREN = 2_000
PASSPHRASE = "a bench passphrase long enough"
COLD_START_GOAL = 0.8
UNLOCK_GOAL = 1.0
SEARCH_GOAL = 0.3
STALL_GOAL_MS = 100
HEARTBEAT_MS = 5
KEY_GAP_MS = 120
SEARCH_TEXT = "mum"
ROOT = Path(__file__).resolve().parents[2]
supports_quick = True

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


def quick() -> bool:
    return os.environ.get("CSE_BENCH_QUICK") == "1"


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


def _env(code_dir: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    paths = [str(code_dir)] if code_dir else []
    paths.append(str(ROOT))  # tests.bench itself always comes from this checkout
    env["PYTHONPATH"] = os.pathsep.join([*paths, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def cold_start(directory: Path, code_dir: Path | None = None) -> float:
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", COLD_START_SCRIPT, str(directory)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env=_env(code_dir), cwd=tempfile.gettempdir())
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - started
    process.wait(timeout=120)
    if line.strip() != "ready":
        raise RuntimeError("the app did not reach the unlock screen")
    return elapsed


def _session_run(directory: Path) -> dict[str, float]:
    """In this process: unlock through the window, then search; timings and UI stalls."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from cse_desktop.ui.app_window import AppOptions, AppWindow
    from cse_desktop.ui.theme import apply_theme

    app = QApplication.instance() or QApplication([])
    apply_theme(app)
    window = AppWindow(AppOptions(data_dir=directory))
    window.resize(1366, 768)
    window.show()
    beats: list[float] = []
    heartbeat = QTimer()
    heartbeat.setInterval(HEARTBEAT_MS)
    heartbeat.timeout.connect(lambda: beats.append(time.perf_counter()))

    def longest_stall(since: float, until: float) -> float:
        marks = [since, *[b for b in beats if since <= b <= until], until]
        return max(b - a for a, b in itertools.pairwise(marks)) * 1000

    def wait_loaded(timeout_ms: int = 120_000) -> float | None:
        loop = QEventLoop()
        done: list[float] = []

        def loaded() -> None:
            if window.caseload.model.rowCount() > 0 and not done:
                window.caseload.table.viewport().repaint()
                done.append(time.perf_counter())
                loop.quit()

        window.caseload.loaded.connect(loaded)
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()
        window.caseload.loaded.disconnect(loaded)
        return done[0] if done else None

    heartbeat.start()
    window.unlock_page.passphrase.setText(PASSPHRASE)
    started = time.perf_counter()
    window.unlock_page.submit()
    shown = wait_loaded()
    if shown is None:
        raise RuntimeError("the caseload did not load within two minutes")
    unlock_stall = longest_stall(started, shown)
    # Let the rest of unlocking settle (sync start, preloads) before typing.
    settle = QEventLoop()
    QTimer.singleShot(2000, settle.quit)
    settle.exec()
    search = window.caseload.search
    search.setFocus()
    typing_started = time.perf_counter()
    for index, char in enumerate(SEARCH_TEXT):
        QTest.keyClick(search, char)
        if index < len(SEARCH_TEXT) - 1:
            QTest.qWait(KEY_GAP_MS)
    last_key = time.perf_counter()
    results = wait_loaded()
    if results is None:
        raise RuntimeError("the search did not finish within two minutes")
    typing_stall = longest_stall(typing_started, results)
    heartbeat.stop()
    window.lock()
    window.close()
    return {"unlock_to_caseload_s": shown - started, "unlock_stall_ms": unlock_stall,
            "search_s": results - last_key, "typing_stall_ms": typing_stall,
            "rows_shown": window.caseload.model.rowCount()}


def session_run(directory: Path, code_dir: Path | None = None) -> dict[str, float]:
    """One unlock-and-search run in a fresh process (``code_dir``: another checkout)."""
    out = subprocess.run([sys.executable, "-m", "tests.bench.bench_ui", "--session-run",
                          str(directory)], capture_output=True, text=True, timeout=900,
                         env=_env(code_dir), cwd=tempfile.gettempdir())
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"the unlock run failed: {out.stderr[-800:]}")


def _spread(samples: list[float]) -> dict[str, float]:
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples),
            "runs": len(samples)}


def _kdf_seconds() -> float:
    from cse_desktop.crypto.keyfile import KdfParams, derive_passphrase_key

    started = time.perf_counter()
    derive_passphrase_key(PASSPHRASE, b"0" * 16, KdfParams())
    return time.perf_counter() - started


def measure(directory: Path, baseline: Path | None, cold_runs: int,
            session_runs: int) -> dict[str, Any]:
    """Interleaved runs of this checkout (and the baseline's, on its own copy of the store)."""
    variants: dict[str, tuple[Path, Path | None]] = {"this": (directory, None)}
    if baseline is not None:
        copy = directory.parent / "baseline-records"
        shutil.copytree(directory, copy)
        _mark_as_version(copy, 4)
        variants["baseline"] = (copy, _code_only(baseline, directory.parent / "baseline-code"))
    results: dict[str, Any] = {}
    for folder, code in variants.values():
        cold_start(folder, code)  # warm up: page cache, .pyc files
    cold: dict[str, list[float]] = {name: [] for name in variants}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
    names = list(variants)
    for index in range(max(cold_runs, session_runs)):
        order = names if index % 2 == 0 else names[::-1]
        for name in order:
            folder, code = variants[name]
            if index < cold_runs:
                cold[name].append(cold_start(folder, code))
            if index < session_runs:
                runs[name].append(session_run(folder, code))
    for name in names:
        entry: dict[str, Any] = {"cold_start_s": _spread(cold[name])}
        for key in ("unlock_to_caseload_s", "unlock_stall_ms", "search_s", "typing_stall_ms"):
            entry[key] = _spread([run[key] for run in runs[name]])
        entry["rows_shown_first"] = runs[name][0]["rows_shown"]
        results[name] = entry
    results["kdf_s"] = _kdf_seconds()
    return results


def _code_only(checkout: Path, into: Path) -> Path:
    """A folder with the checkout's package and data but not its tests (this checkout's
    tests.bench must run the baseline's code)."""
    into.mkdir()
    for entry in checkout.iterdir():
        if entry.name not in ("tests", ".git", ".venv"):
            (into / entry.name).symlink_to(entry)
    return into


def _mark_as_version(directory: Path, version: int) -> None:
    """Let an older checkout open a copy of the store (it refuses newer schema versions)."""
    from cse_desktop.store import Store

    data_key = Store.key_file(directory).unwrap(PASSPHRASE)
    from cse_desktop.store.connection import open_encrypted

    conn = open_encrypted(Store.db_path(directory), data_key)
    conn.execute(f"PRAGMA user_version = {int(version)}")
    conn.close()


def main() -> dict[str, Any]:
    children = QUICK_CHILDREN if quick() else CHILDREN
    cold_runs, session_runs = (3, 2) if quick() else (5, 3)
    baseline = os.environ.get("CSE_BENCH_BASELINE")
    prebuilt = os.environ.get("CSE_BENCH_UI_STORE")  # a store built earlier (copied first)
    with tempfile.TemporaryDirectory(prefix="cse-bench-ui-") as folder:
        directory = Path(folder) / "records"
        if prebuilt:
            shutil.copytree(prebuilt, directory)
        else:
            print(f"building a store with {children:,} synthetic children…", flush=True)
            build_store(directory, children)
        results = measure(directory, Path(baseline) if baseline else None, cold_runs,
                          session_runs)
    results["children"] = children
    print(f"{children:,} children; passphrase key derivation {results['kdf_s']:.2f} s")
    print(f"{'variant':<9} {'measure':<28} {'median':>9} {'range':>17}  goal")
    goals = {"cold_start_s": f"< {COLD_START_GOAL} s", "unlock_to_caseload_s":
             f"< {UNLOCK_GOAL} s", "search_s": f"< {SEARCH_GOAL} s",
             "unlock_stall_ms": f"< {STALL_GOAL_MS} ms", "typing_stall_ms":
             f"< {STALL_GOAL_MS} ms"}
    for name in ("baseline", "this"):
        if name not in results:
            continue
        for key, goal in goals.items():
            s = results[name][key]
            print(f"{name:<9} {key:<28} {s['median']:>9.3f} {s['min']:>8.3f}-{s['max']:<8.3f}"
                  f"  {goal}")
    return {"ui": results}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--session-run":
        print(json.dumps(_session_run(Path(sys.argv[2]))), flush=True)
    else:
        main()
