"""Caseload benchmark at ten times the size (`make bench ARGS=caseload`).

The calls the caseload screen makes, on a real encrypted store of 10,000 synthetic children
(2,000 with ``--quick``), interleaved round by round so that machine noise hits each alike,
after one warm-up round; medians and ranges of the repeats:

- read model, all rows: ``Caseload.rows()`` (what a screen that lists everyone loads)
- read model, one page: ``Caseload.page(limit=PAGE)`` (what the caseload screen loads)
- full recomputation: ``Caseload.rows_recomputed()``, the pre-read-model algorithm (every
  child, episode and interview loaded and worked out in Python) kept as the reference

each for opening the caseload (no filter) and for a search ("mum": most children; "county
lines": some), plus how long the store takes to build (the read model is kept up to date on
every write).
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cse_desktop.services.caseload import Caseload, CaseloadFilter

FULL_CHILDREN = 10_000
QUICK_CHILDREN = 2_000
PAGE = 200  # the caseload screen's page size (ui/caseload_view.py PAGE_SIZE)
supports_quick = True


def quick() -> bool:
    return os.environ.get("CSE_BENCH_QUICK") == "1"


def spread(samples: list[float]) -> dict[str, float]:
    """Median and range of repeated timings, in seconds."""
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples),
            "runs": len(samples)}


def interleaved(variants: dict[str, Callable[[], Any]], rounds: int) -> dict[str, dict]:
    """Run every variant once per round (after a warm-up round), in rotating order."""
    for action in variants.values():
        action()  # warm up: page cache, imports, statement cache
    samples: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for index in range(rounds):
        order = names[index % len(names):] + names[:index % len(names)]
        for name in order:
            started = time.perf_counter()
            variants[name]()
            samples[name].append(time.perf_counter() - started)
    return {name: spread(values) for name, values in samples.items()}


def run(children: int, rounds: int) -> dict[str, Any]:
    from cse_desktop.services.session import unlock
    from tests.bench.bench_ui import PASSPHRASE, build_store

    with tempfile.TemporaryDirectory(prefix="cse-bench-caseload-") as folder:
        directory = Path(folder) / "records"
        started = time.perf_counter()
        prebuilt = os.environ.get("CSE_BENCH_UI_STORE")  # built once by `make bench`
        if prebuilt:
            shutil.copytree(prebuilt, directory)
        else:
            build_store(directory, children)
        build = None if prebuilt else time.perf_counter() - started
        session = unlock(directory, PASSPHRASE)
        try:
            caseload = Caseload(session)
            results: dict[str, Any] = {"children": children, "build_store_s": build}
            for label, text in (("open", ""), ("search_mum", "mum"),
                                ("search_county_lines", "county lines")):
                filters = CaseloadFilter(text=text)
                matched = caseload.page(filters, limit=1).counts.children
                results[label] = {"matches": matched, **interleaved({
                    "read_model_page": lambda f=filters: caseload.page(f, limit=PAGE),
                    "read_model_all_rows": lambda f=filters: caseload.rows(f),
                    "full_recomputation": lambda f=filters: caseload.rows_recomputed(f),
                }, rounds)}
        finally:
            session.lock()
    return results


def main() -> dict[str, Any]:
    children = QUICK_CHILDREN if quick() else FULL_CHILDREN
    results = run(children, rounds=3 if quick() else 5)
    built = results["build_store_s"]
    print(f"{children:,} children" + (f"; store built in {built:.1f} s" if built else ""))
    print(f"{'call':<24} {'variant':<22} {'matches':>8} {'median':>9} {'range':>19}")
    for label in ("open", "search_mum", "search_county_lines"):
        entry = results[label]
        for variant in ("read_model_page", "read_model_all_rows", "full_recomputation"):
            s = entry[variant]
            print(f"{label:<24} {variant:<22} {entry['matches']:>8,} "
                  f"{s['median'] * 1000:>7.0f}ms {s['min'] * 1000:>8.0f}-{s['max'] * 1000:.0f}ms")
    return {"caseload": results}


if __name__ == "__main__":
    main()
