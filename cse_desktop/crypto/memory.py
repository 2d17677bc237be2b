"""Overwriting secrets in memory once they are no longer needed (CPython only).

Python's ``bytes`` and ``str`` are immutable and their memory is not cleared when freed, so a
data key or passphrase can linger in the process (and in a crash dump) long after it was used.
These helpers overwrite the contents of an object *this code made and owns* in place.  Never
call them on an object someone else may still use, on literals, or on interned strings.
"""

from __future__ import annotations

import ctypes
import sys

_CPYTHON = sys.implementation.name == "cpython"
_BYTES_HEADER = sys.getsizeof(b"") - 1  # offset of ob_sval in PyBytesObject
_ASCII_HEADER = sys.getsizeof("") - 1  # offset of the characters in a compact ASCII str
_COMPACT_HEADER = sys.getsizeof("é") - 2  # ... in any other compact str (1-byte kind)


def wipe_bytes(data: bytes | bytearray | memoryview | None) -> None:
    """Overwrite ``data`` with zeros in place (a bytes object only if this code owns it)."""
    if data is None or len(data) == 0:
        return
    if isinstance(data, bytearray):
        data[:] = bytes(len(data))
        return
    if isinstance(data, memoryview):
        if not data.readonly:
            data[:] = bytes(data.nbytes)
        return
    if _CPYTHON and isinstance(data, bytes) and len(data) > 1:  # length 0/1 are shared
        ctypes.memset(id(data) + _BYTES_HEADER, 0, len(data))


def wipe_str(text: str | None) -> None:
    """Overwrite a string's characters in place (only a string this code made and owns)."""
    if not _CPYTHON or not text or len(text) < 2 or type(text) is not str:
        return
    header = _ASCII_HEADER if text.isascii() else _COMPACT_HEADER
    kind = (sys.getsizeof(text) - header) // (len(text) + 1)
    if kind in (1, 2, 4):
        ctypes.memset(id(text) + header, 0, len(text) * kind)


def hex_key_statement(data_key: bytes | bytearray) -> bytearray:
    """SQLCipher's raw-key form ``x'<64 hex digits>'`` built in a bytearray, never a str."""
    digits = b"0123456789abcdef"
    out = bytearray(b"x'") + bytearray(len(data_key) * 2) + bytearray(b"'")
    for i, value in enumerate(data_key):
        out[2 + 2 * i] = digits[value >> 4]
        out[3 + 2 * i] = digits[value & 15]
    return out
