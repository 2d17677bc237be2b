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
