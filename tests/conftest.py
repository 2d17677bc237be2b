"""What every test shares: the order in which they run.

The suite runs in parallel (pytest-xdist, ``make test``).  The long tests (a megabyte over a
5 KB/s link, cut connections) are started first, and the Makefile hands each worker one test at
a time (``--maxschedchunk 1``), so that they spread over the workers and the short ones fill
the others around them, instead of queueing on one worker and running on at the end.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slow tests first; otherwise the order of collection (a stable sort keeps it)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
