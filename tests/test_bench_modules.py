"""`make bench` must keep working: every benchmark module imports and has a main()."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).parent / "bench"
MODULES = sorted(m.name for m in pkgutil.iter_modules([str(BENCH_DIR)])
                 if m.name.startswith("bench_"))


def test_there_are_benchmarks() -> None:
    assert {"bench_store", "bench_sync", "bench_pdf", "bench_ui"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_benchmark_module_imports_and_has_main(name: str) -> None:
    module = importlib.import_module(f"tests.bench.{name}")
    assert callable(module.main)


def test_bench_results_have_every_tracked_key_and_say_why_one_is_missing() -> None:
    from tests.bench.__main__ import KEYS, headline

    spread = {"median": 0.5, "min": 0.4, "max": 0.7, "runs": 3}
    details = {"ui": {"children": 10_000, "this": {
        key: spread for key in ("unlock_to_caseload_s", "search_s", "unlock_stall_ms",
                                "typing_stall_ms", "cold_start_s")}}}
    figures, notes = headline(details, quick=False)
    assert set(figures) == set(KEYS)
    assert figures["caseload_open_10k_s"] == 0.5 and figures["cold_start_s"] == 0.5
    assert all(key in notes for key, value in figures.items() if value is None)
    empty, empty_notes = headline({}, quick=True)
    assert all(value is None for value in empty.values())
    assert set(KEYS) <= set(empty_notes) and "quick" in empty_notes
