"""Keeping secrets out of crash dumps and debuggers, from the very start of the process.

While unlocked, the process holds the data key, names and note text; even after locking some
text may remain in freed memory (see the README).  A crash would write all of it into a core
file, and another program running as the same user could attach a debugger and read it.  So,
before anything else happens:

- **Linux and other POSIX systems**: the core-file size limit is set to 0 (soft and hard, so
  it cannot be raised again from inside), and on Linux ``prctl(PR_SET_DUMPABLE, 0)`` marks the
  process non-dumpable: no core file whatever the system's core pattern says, no ``ptrace``
  attach by the same user (only root can), and ``/proc/<pid>/mem`` and ``environ`` become
  root-only.
- **macOS**: the core limit is set to 0 as well.  Debugger attach is not denied (Apple's
  ``PT_DENY_ATTACH`` is not used); macOS writes no core files by default.
- **Windows**: nothing is changed in the process.  Windows Error Reporting keeps no full memory
  dump unless an administrator has configured ``LocalDumps``; organisations should make sure it
  is not configured for cse-desktop, and keep users non-administrators.
"""

from __future__ import annotations

import contextlib
import ctypes
import sys

PR_SET_DUMPABLE = 4
PR_GET_DUMPABLE = 3


def harden_process() -> list[str]:
    """Turn off core dumps (and, on Linux, ptrace attach).  Returns what was done."""
    done: list[str] = []
    if sys.platform == "win32":
        return done
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        done.append("core dumps off")
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0:
                done.append("not dumpable")
    return done


def is_dumpable() -> bool | None:
    """Whether this process may be dumped or attached to (Linux only; None elsewhere)."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    return bool(libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0))
