"""Run every benchmark (`make bench`): each bench_*.py module's main() prints its table."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main() -> int:
    wanted = set(sys.argv[1:])
    folder = Path(__file__).parent
    failures = 0
    for module in sorted(pkgutil.iter_modules([str(folder)]), key=lambda m: m.name):
        if not module.name.startswith("bench_"):
            continue
        if wanted and module.name not in wanted and module.name[6:] not in wanted:
            continue
        print(f"\n=== {module.name} ===", flush=True)
        started = time.perf_counter()
        try:
            importlib.import_module(f"tests.bench.{module.name}").main()
        except Exception as exc:  # report and carry on with the other benchmarks
            failures += 1
            print(f"{module.name} failed: {exc!r}")
        print(f"({time.perf_counter() - started:.1f} s)", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
