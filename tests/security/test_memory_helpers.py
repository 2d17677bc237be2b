"""The helpers that overwrite secrets in place, and the key handed to SQLCipher natively."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from cse_desktop.crypto.memory import hex_key_statement, wipe_bytes, wipe_str
from cse_desktop.store import connection


def test_wipe_bytes_overwrites_the_object_itself() -> None:
    key = secrets.token_bytes(32)
    alias = key
    wipe_bytes(key)
    assert alias == bytes(32)
    buffer = bytearray(b"secret material")
    wipe_bytes(buffer)
    assert buffer == bytearray(len(b"secret material"))


@pytest.mark.parametrize("parts", [("correct horse ", "battery"), ("pässphrase ", "é long"),
                                   ("pass€ ", "word"), ("emoji ", "🔑 key")])
def test_wipe_str_overwrites_every_kind_of_string(parts: tuple[str, str]) -> None:
    text = "".join(parts)  # made at run time: owned here, not a shared literal
    length = len(text)
    wipe_str(text)
    assert [ord(c) for c in text] == [0] * length  # (kinds differ, so compare code points)


def test_the_raw_key_statement_is_built_without_a_string() -> None:
    key = secrets.token_bytes(32)
    statement = hex_key_statement(key)
    assert isinstance(statement, bytearray)
    assert statement.decode() == f"x'{key.hex()}'"


def test_the_key_reaches_sqlcipher_through_its_native_call(tmp_path: Path) -> None:
    key = secrets.token_bytes(32)
    conn = connection.open_encrypted(tmp_path / "x.db", key)
    assert connection._native_handle(conn, tmp_path / "x.db") is not None
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    # The same database opens with the PRAGMA form: the native call sets the same raw key.
    import sqlcipher3

    other = sqlcipher3.connect(str(tmp_path / "x.db"))
    other.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    assert other.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 1
    other.close()
