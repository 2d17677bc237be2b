"""Rescue bundles: unsynced work saved, encrypted, before a revoked device is wiped.

A bundle is a JSON file holding the outbox and open conflicts, encrypted with AES-256-GCM.

- When the organisation's X25519 recovery key is configured, the bundle key is wrapped to it
  (only the organisation's offline private key opens the bundle).
- Otherwise the bundle is encrypted with the store's data key and carries a copy of the key
  file's passphrase slot, so the practitioner's passphrase opens it and nothing else does.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..crypto.keyfile import (
    WrongPassphrase,
    load_recovery_public_key,
    unwrap_passphrase_slot,
    unwrap_with_recovery_key,
    wrap_to_recovery_key,
)
from ..crypto.memory import wipe_bytes
from ..records import to_iso
from ..store import Store, StoreLocked
from ..store.wipe import wipe_files

FORMAT = "cse-desktop-rescue"
VERSION = 1
_AAD = b"cse-desktop rescue bundle v1"
RESCUE_DIR = "rescue"


class RescueError(Exception):
    """The bundle cannot be opened with what was given."""


@dataclass(frozen=True)
class RescueContents:
    created_at: datetime | None
    reason: str
    changes: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def _data_key(store: Store) -> bytes:
    # The bundle is sealed under the same key the passphrase unwraps.
    try:
        return store.data_key_for_rescue()
    except StoreLocked as exc:
        raise RescueError("The records are locked, so no rescue bundle can be written.") from exc


def collect(store: Store, record_ids: set[str] | None = None) -> dict[str, Any]:
    """The unsynced changes and open conflicts (only of ``record_ids`` when given)."""
    changes = [
        {"change_id": c.change_id, "record_id": c.record_id, "base_revision": c.base_revision,
         "record": c.record.to_wire()}
        for c in store.pending_changes(limit=10**9)
        if record_ids is None or c.record_id in record_ids
    ]
    conflicts = [
        {"record_id": c.record_id, "fields": list(c.fields), "local": c.local.to_wire(),
         "remote": c.remote.to_wire()}
        for c in store.open_conflicts()
        if record_ids is None or c.record_id in record_ids
    ]
    return {"changes": changes, "conflicts": conflicts}


def unsynced_count(store: Store) -> int:
    content = collect(store)
    return len(content["changes"]) + len(content["conflicts"])


def write_bundle(store: Store, reason: str, directory: Path | None = None, *,
                 record_ids: set[str] | None = None) -> Path:
    """Encrypt the unsynced work of ``store`` (only of ``record_ids`` when given) into a new
    bundle file and return its path."""
    content = collect(store, record_ids)
    payload = json.dumps({"reason": reason, **content}, ensure_ascii=False).encode("utf-8")
    recovery_pem = store.get_meta("recovery_public_key")
    if recovery_pem:
        bundle_key = secrets.token_bytes(32)
        slot: dict[str, Any] = wrap_to_recovery_key(
            bundle_key, load_recovery_public_key(str(recovery_pem).encode("ascii")))
    else:
        bundle_key = _data_key(store)
        keyfile = Store.key_file(store.data_dir).read()
        slot = {"type": "passphrase", "keyfile": {
            **keyfile, "slots": [s for s in keyfile["slots"] if s["type"] == "passphrase"],
            "failures": {"count": 0, "last_at": None}}}
    nonce = secrets.token_bytes(12)
    ciphertext = AESGCM(bundle_key).encrypt(nonce, payload, _AAD)
    wipe_bytes(bundle_key)  # a fresh key or a copy of the data key: ours to overwrite
    bundle = {
        "format": FORMAT, "version": VERSION, "created_at": to_iso(store.clock.now()),
        "device_id": store.device_id, "key": slot, "nonce": _b64(nonce),
        "ciphertext": _b64(ciphertext),
        "counts": {"changes": len(content["changes"]), "conflicts": len(content["conflicts"])},
    }
    folder = Path(directory) if directory else Path(store.data_dir) / RESCUE_DIR
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = store.clock.now().strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"rescue-{stamp}-{secrets.token_hex(3)}.cse-rescue"
    tmp = path.with_name(path.name + ".new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # only the user reads it
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(bundle, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return path


def open_bundle(path: Path, *, passphrase: str | None = None,
                recovery_private_key: X25519PrivateKey | None = None) -> RescueContents:
    """Decrypt a bundle with the practitioner's passphrase or the organisation's key."""
    bundle = json.loads(Path(path).read_text("utf-8"))
    if bundle.get("format") != FORMAT:
        raise RescueError(f"{path} is not a cse-desktop rescue bundle.")
    slot = bundle["key"]
    if slot["type"] == "recovery":
        if recovery_private_key is None:
            raise RescueError("This bundle opens only with the organisation's recovery key.")
        key = unwrap_with_recovery_key(slot, recovery_private_key)
    else:
        if passphrase is None:
            raise RescueError("This bundle opens with the practitioner's passphrase.")
        try:
            key = unwrap_passphrase_slot(slot["keyfile"], passphrase)
        except InvalidTag:
            raise WrongPassphrase(0, 0) from None
    payload = json.loads(AESGCM(key).decrypt(_unb64(bundle["nonce"]),
                                             _unb64(bundle["ciphertext"]), _AAD))
    created = bundle.get("created_at")
    return RescueContents(
        created_at=datetime.fromisoformat(created) if created else None,
        reason=payload.get("reason", ""), changes=payload["changes"],
        conflicts=payload["conflicts"])


def wipe(store: Store, *, reason: str = "", rescue_path: Path | None = None) -> None:
    """Close the store, destroy its key file and remove the database files.

    Resumable: if the app is killed half way, the next start finishes it (see store.wipe).
    """
    data_dir = Path(store.data_dir)
    store.lock()
    wipe_files(data_dir, reason=reason, rescue_path=rescue_path)
