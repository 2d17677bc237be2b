"""The record fingerprint printed in the QR code: record id + SHA-256 of its content.

The content hashed is the record's wire form (``Record.to_wire``) as canonical JSON (sorted
keys, no spaces, UTF-8), leaving out what changes without the content changing: the
revision, the last-updated time, the device id and the tombstone flag.  A signed record never
changes, so a paper copy can be matched to it by recomputing this.
"""

from __future__ import annotations

import hashlib
import json

from cse_desktop.records import Record

_LEFT_OUT = ("revision", "updated_at", "device_id", "deleted")


def canonical_content(record: Record) -> bytes:
    wire = record.to_wire()
    for key in _LEFT_OUT:
        wire.pop(key, None)
    return json.dumps(wire, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_sha256(record: Record) -> str:
    return hashlib.sha256(canonical_content(record)).hexdigest()


def qr_payload(record: Record) -> str:
    """What the QR code holds, e.g. "cse-record:1b2c...?sha256=9f86...": short enough to scan."""
    return f"cse-record:{record.id}?sha256={content_sha256(record)}"
