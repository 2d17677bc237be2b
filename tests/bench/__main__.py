"""Run every benchmark (`make bench`): each bench_*.py module's main() prints its table.

``make bench ARGS="caseload ui"`` runs only those; ``ARGS=--quick`` runs the modules that have
a smaller version (``supports_quick``), smaller, for CI.  Whatever ran, the figures the
performance issue tracks are written to ``bench-results/latest.json`` (one number per row,
``null`` for what this run did not measure, with the reason in ``notes``), next to every
module's detailed results.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from cse_desktop.clock import SYSTEM_CLOCK

RESULTS = Path("bench-results") / "latest.json"

KEYS = ("caseload_open_10k_s", "search_10k_s", "ui_stall_unlock_ms", "ui_stall_typing_ms",
        "cold_start_s", "save_vs_raw_sqlcipher", "fts_1m_median_ms", "first_sync_50k_s",
        "push_p95_100_devices_s", "db_size_ratio", "summary_pdf_2000_s")

NOT_MEASURED = {
    "save_vs_raw_sqlcipher": "not measured yet: bench_store compares the store on SQLCipher "
                             "with the same store on plain SQLite, not with a raw SQLCipher "
                             "insert of the same row",
    "fts_1m_median_ms": "not measured yet: bench_store searches 100,000 notes, not 1,000,000",
    "first_sync_50k_s": "not measured yet: bench_sync does a first sync of 10,000 records",
    "push_p95_100_devices_s": "not measured yet: no benchmark of 100 devices pushing at once",
    "db_size_ratio": "not measured yet: no benchmark of database size against the answers held",
    "summary_pdf_2000_s": "not measured yet: bench_pdf makes summaries of up to 1,000 entries",
}


def headline(details: dict[str, Any], quick: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """The tracked figures (medians) from the modules' detailed results, and notes."""
    figures: dict[str, Any] = dict.fromkeys(KEYS)
    notes: dict[str, str] = {}
    ui = details.get("ui", {}).get("this")
    if ui:
        children = details["ui"].get("children")
        figures["caseload_open_10k_s"] = ui["unlock_to_caseload_s"]["median"]
        figures["search_10k_s"] = ui["search_s"]["median"]
        figures["ui_stall_unlock_ms"] = ui["unlock_stall_ms"]["median"]
        figures["ui_stall_typing_ms"] = ui["typing_stall_ms"]["median"]
        figures["cold_start_s"] = ui["cold_start_s"]["median"]
        notes["caseload_open_10k_s"] = (
            f"bench_ui, {children:,} children: pressing Unlock (real key derivation) until "
            "the caseload shows its first page; median of fresh-process runs")
        notes["search_10k_s"] = (f"bench_ui, {children:,} children: last key of 'mum' typed "
                                 "in the caseload search until the results are shown")
        notes["ui_stall_unlock_ms"] = "bench_ui: longest gap of a 5 ms UI-thread heartbeat"
        notes["ui_stall_typing_ms"] = "bench_ui: longest heartbeat gap while typing + waiting"
        notes["cold_start_s"] = "bench_ui: launch until the unlock screen is shown"
    for key in KEYS:
        if figures[key] is None and key not in notes:
            notes[key] = NOT_MEASURED.get(key, "not measured in this run")
            if quick and key in ("caseload_open_10k_s", "search_10k_s", "cold_start_s",
                                 "ui_stall_unlock_ms", "ui_stall_typing_ms"):
                notes[key] += " (bench_ui did not run)"
    if quick:
        notes["quick"] = "--quick: 2,000 children instead of 10,000, fewer repeats"
    return figures, notes


def _shared_store(wanted: set[str], quick: bool) -> tempfile.TemporaryDirectory | None:
    """Build the synthetic caseload once for bench_caseload and bench_ui (each copies it)."""
    if os.environ.get("CSE_BENCH_UI_STORE"):
        return None
    if wanted and not wanted & {"caseload", "ui", "bench_caseload", "bench_ui"}:
        return None
    from tests.bench.bench_ui import CHILDREN, QUICK_CHILDREN, build_store

    children = QUICK_CHILDREN if quick else CHILDREN
    holder = tempfile.TemporaryDirectory(prefix="cse-bench-store-")
    print(f"building a store with {children:,} synthetic children…", flush=True)
    started = time.perf_counter()
    build_store(Path(holder.name) / "records", children)
    print(f"({time.perf_counter() - started:.1f} s)", flush=True)
    os.environ["CSE_BENCH_UI_STORE"] = str(Path(holder.name) / "records")
    return holder


def _commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=10, check=False)
    except OSError:
        return None
    return out.stdout.strip() or None


def main() -> int:
    flags = {a for a in sys.argv[1:] if a.startswith("--")}
    wanted = {a for a in sys.argv[1:] if not a.startswith("--")}
    quick = "--quick" in flags
    if quick:
        os.environ["CSE_BENCH_QUICK"] = "1"
    folder = Path(__file__).parent
    shared = _shared_store(wanted, quick)
    failures = 0
    details: dict[str, Any] = {}
    load_before = os.getloadavg()
    for module in sorted(pkgutil.iter_modules([str(folder)]), key=lambda m: m.name):
        if not module.name.startswith("bench_"):
            continue
        if wanted and module.name not in wanted and module.name[6:] not in wanted:
            continue
        imported = importlib.import_module(f"tests.bench.{module.name}")
        if quick and not getattr(imported, "supports_quick", False):
            print(f"\n=== {module.name} === (skipped: no --quick version)", flush=True)
            continue
        print(f"\n=== {module.name} ===", flush=True)
        started = time.perf_counter()
        try:
            result = imported.main()
            if isinstance(result, dict):
                details.update(result)
        except Exception as exc:  # report and carry on with the other benchmarks
            failures += 1
            print(f"{module.name} failed: {exc!r}")
        print(f"({time.perf_counter() - started:.1f} s)", flush=True)
    if shared is not None:
        shared.cleanup()
    figures, notes = headline(details, quick)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        **figures,
        "notes": notes,
        "quick": quick,
        "finished_at": SYSTEM_CLOCK.now().isoformat(),
        "commit": _commit(),
        "load_average_before_after": [list(load_before), list(os.getloadavg())],
        "cpus": os.cpu_count(),
        "details": details,
    }, indent=2), encoding="utf-8")
    print(f"\nwrote {RESULTS}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
