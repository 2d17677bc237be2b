"""Reading a SQLCipher database file page by page with its raw key (tests only).

SQLCipher 4 defaults: 4096-byte pages, each encrypted with AES-256-CBC under the raw key, with
80 reserved bytes at the end (16-byte IV, then a 64-byte HMAC-SHA512).  The first 16 bytes of
page 1 are the salt and are not encrypted.  A WAL file has a 32-byte header, then frames of a
24-byte header (page number first) and one page.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAGE = 4096
RESERVE = 80


def decrypt_page(key: bytes, page: bytes, number: int) -> bytes:
    start = 16 if number == 1 else 0
    iv = page[PAGE - RESERVE:PAGE - RESERVE + 16]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(page[start:PAGE - RESERVE]) + decryptor.finalize()


def decrypted_pages(db_path: Path, key: bytes) -> Iterator[tuple[str, bytes]]:
    """Every page of the database file and of its WAL (old versions included), decrypted."""
    raw = db_path.read_bytes() if db_path.exists() else b""
    for index in range(len(raw) // PAGE):
        page = raw[index * PAGE:(index + 1) * PAGE]
        if page.strip(b"\0"):
            yield f"db page {index + 1}", decrypt_page(key, page, index + 1)
    wal_path = db_path.with_name(db_path.name + "-wal")
    wal = wal_path.read_bytes() if wal_path.exists() else b""
    frame = 24 + PAGE
    for index in range((len(wal) - 32) // frame if len(wal) > 32 else 0):
        header = wal[32 + index * frame:32 + index * frame + 24]
        page = wal[32 + index * frame + 24:32 + (index + 1) * frame]
        number = int.from_bytes(header[:4], "big")
        yield f"wal frame {index + 1} (page {number})", decrypt_page(key, page, number)
