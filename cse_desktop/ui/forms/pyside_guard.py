"""Guard against a reference-counting bug in PySide6 6.12 on Python 3.11.

With PySide6-Essentials 6.12.0 on CPython 3.11, every call of a Qt method that returns
nothing (``label.setText(...)``, ``timer.stop()``, ...) takes one reference from ``None``
without giving it back.  None starts with a few thousand references, so after some thousands
of such calls Python aborts with "Fatal Python error: none_dealloc: deallocating None".  A
form view does hundreds of such calls per keystroke, so this would crash the app within
minutes.  Python 3.12+ is not affected (None is immortal there) and PySide6 6.11.3 is not
affected either.

The real fix is to install an unaffected PySide6 (the project's dependency should exclude
6.12.0).  Until then, ``protect_none()`` gives None so many extra references that it can never
run out in the life of a process, which is what Python 3.12 does for it by design.
"""

from __future__ import annotations

import ctypes
import sys

EXTRA_REFERENCES = 1 << 40  # ~10^12 leaked references before anything could go wrong
_done = False


def affected() -> bool:
    """True on CPython before 3.12 (where None is not immortal) with PySide6 6.12."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False
    try:
        import PySide6
    except ImportError:
        return False
    return str(PySide6.__version__).startswith("6.12.")


def protect_none() -> bool:
    """Make None's reference count unreachably high (once).  True if it was needed."""
    global _done
    if _done or not affected():
        return False
    # ob_refcnt is the first field of every object in a CPython 3.11 release build.
    ctypes.c_ssize_t.from_address(id(None)).value += EXTRA_REFERENCES
    _done = True
    return True
