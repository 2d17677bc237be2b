"""Parts of the app that other engineers' packages provide (form widgets, PDF, sync): the
window uses them when they are installed and leaves their menu items disabled otherwise."""

from __future__ import annotations

import importlib
from types import ModuleType


def optional_module(name: str) -> ModuleType | None:
    """The module, or None while it is not installed."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None
