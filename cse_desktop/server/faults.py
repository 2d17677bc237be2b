"""Crash points for the resilience tests: the process kills itself (SIGKILL) at a named point.

Off unless the environment variable ``CSE_SERVER_FAULT`` names the point, e.g.
``push-after-commit`` (optionally ``push-after-commit:2`` to die the second time it is reached).
It is never set in production.
"""

from __future__ import annotations

import os
import signal

_hits: dict[str, int] = {}


def maybe_die(point: str) -> None:
    wanted = os.environ.get("CSE_SERVER_FAULT")
    if not wanted:
        return
    name, _, nth = wanted.partition(":")
    if name != point:
        return
    _hits[point] = _hits.get(point, 0) + 1
    if _hits[point] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
