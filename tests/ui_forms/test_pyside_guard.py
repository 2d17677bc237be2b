"""PySide6 6.12 on Python 3.11 takes a reference from None on every Qt call that returns
nothing; without the guard a long session aborts with "deallocating None"."""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer

from cse_desktop.ui.forms import pyside_guard


def test_none_never_runs_out_of_references() -> None:
    timer = QTimer()
    before = sys.getrefcount(None)
    for _ in range(20_000):  # more than None's own references in a fresh process
        timer.stop()
    assert sys.getrefcount(None) > 1000
    if pyside_guard.affected():
        assert pyside_guard._done
        assert before > pyside_guard.EXTRA_REFERENCES // 2


def test_guard_does_nothing_where_none_is_safe() -> None:
    if sys.version_info >= (3, 12):
        assert not pyside_guard.affected()
    assert pyside_guard.protect_none() is False  # never twice
