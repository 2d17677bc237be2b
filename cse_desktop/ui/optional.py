"""Parts of the app that other engineers' packages provide (form widgets, PDF, sync): the
window uses them when they are installed and leaves their menu items disabled otherwise.

Asking whether a part is there does not import it (``available``): the PDF and sync stacks
(ReportLab, pyHanko, httpx) are big, and the unlock screen must come up without them.
``preload`` imports them on a background thread once the window is up, so the first print or
sync does not wait either.
"""

from __future__ import annotations

import functools
import importlib
import importlib.machinery
import importlib.util
import sys
import threading
from collections.abc import Iterable
from types import ModuleType


def optional_module(name: str) -> ModuleType | None:
    """The module, or None while it is not installed."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


@functools.cache
def available(name: str, requires: tuple[str, ...] = ()) -> bool:
    """Whether ``name`` and the third-party packages it needs are installed, without
    importing any of them.  Remembered: asked again while a background thread imports the
    module, finding it would wait for that import."""
    return all(_installed(n) for n in (name, *requires))


def _installed(name: str) -> bool:
    """Whether a module can be found, without importing it or its parent packages (finding a
    submodule with importlib.util.find_spec would run the package's __init__)."""
    if name in sys.modules:
        return True
    parts = name.split(".")
    try:
        spec = importlib.util.find_spec(parts[0])
        for depth in range(1, len(parts)):
            if spec is None or spec.submodule_search_locations is None:
                return False
            spec = importlib.machinery.PathFinder.find_spec(
                ".".join(parts[:depth + 1]), list(spec.submodule_search_locations))
    except (ImportError, ValueError):
        return False
    return spec is not None


def preload(names: Iterable[str]) -> threading.Thread:
    """Import these modules on a background thread (errors are left for first use)."""

    def work() -> None:
        for name in names:
            optional_module(name)

    thread = threading.Thread(target=work, name="cse-preload", daemon=True)
    thread.start()
    return thread
