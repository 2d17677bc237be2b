"""Parts of the app that other engineers' packages provide (form widgets, PDF, sync): the
window uses them when they are installed and leaves their menu items disabled otherwise.

Asking whether a part is there does not import it (``available``): the PDF and sync stacks
(ReportLab, pyHanko, httpx) are big, and the unlock screen must come up without them.
``preload`` imports them on a background thread once the window is up, so the first print or
sync does not wait either.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from collections.abc import Iterable
from types import ModuleType


def optional_module(name: str) -> ModuleType | None:
    """The module, or None while it is not installed."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def available(name: str, requires: Iterable[str] = ()) -> bool:
    """Whether ``name`` and the third-party packages it needs are installed, without
    importing any of them."""
    try:
        return all(importlib.util.find_spec(n) is not None for n in (name, *requires))
    except (ImportError, ValueError):
        return False


def preload(names: Iterable[str]) -> threading.Thread:
    """Import these modules on a background thread (errors are left for first use)."""

    def work() -> None:
        for name in names:
            optional_module(name)

    thread = threading.Thread(target=work, name="cse-preload", daemon=True)
    thread.start()
    return thread
