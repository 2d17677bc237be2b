"""PDF benchmark: a team lead's case summary with a long chronology, made and signed.

Goal: a summary with 500 chronology entries in under 2 s, including the PAdES signature.
Data is synthetic and saved through the real encrypted store; timings are the median of 3
runs and split (from the progress reports) into gathering, layout and signing.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from cse_desktop.crypto.identity import create_local_identity
from cse_desktop.forms import default_library
from cse_desktop.services import documents
from tests.pdf.pdf_synthetic import add_chronology, build

SIZES = (0, 100, 500, 1000)
RUNS = 3
GOAL_SECONDS = 2.0


def _timed_summary(work, identity) -> tuple[float, float, float, float, bytes]:
    marks: dict[int, float] = {}

    def progress(percent: int, message: str) -> None:
        marks.setdefault(percent, time.perf_counter())

    started = time.perf_counter()
    pdf = documents.render_case_summary_pdf(work.store, work.library, work.child.id,
                                            work.lead, identity, None, progress=progress)
    total = time.perf_counter() - started
    layout_start = min(t for p, t in marks.items() if p >= 25)
    gather = layout_start - started
    sign = marks[100] - marks[90]
    layout = total - gather - sign
    return total, gather, layout, sign, pdf


def main() -> None:
    library = default_library()
    identity = create_local_identity("Łukasz Wiśniewski", "Team lead", "Bench Partnership")
    print(f"{'chronology':>10} {'pages':>6} {'KiB':>7} {'gather s':>9} {'layout s':>9} "
          f"{'sign s':>7} {'total s':>8}  goal")
    with tempfile.TemporaryDirectory() as folder:
        work = build(Path(folder) / "records", library)
        base = len(work.store.records(child_id=work.child.id)) - 1  # the child itself
        added = 0
        for size in SIZES:
            add_chronology(work, max(0, size - base - added))
            added = max(added, size - base)
            runs = [_timed_summary(work, identity) for _ in range(RUNS)]
            total, gather, layout, sign, pdf = sorted(runs, key=lambda r: r[0])[RUNS // 2]
            pages = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page")
            entries = len(work.store.records(child_id=work.child.id)) - 1
            verdict = "ok" if total < GOAL_SECONDS else "SLOW"
            print(f"{entries:>10} {pages:>6} {len(pdf) / 1024:>7.0f} {gather:>9.3f} "
                  f"{layout:>9.3f} {sign:>7.3f} {total:>8.3f}  {verdict if size == 500 else ''}")
        record_times = []
        for _ in range(5):
            started = time.perf_counter()
            documents.render_record_pdf(work.store, library, work.interview.id, work.worker,
                                        identity, None)
            record_times.append(time.perf_counter() - started)
        print(f"\nReturn home interview with an addendum (render + sign), median of 5: "
              f"{statistics.median(record_times):.3f} s")
        work.store.close()


if __name__ == "__main__":
    main()
