"""The organisation's recovery key: configuring it, and using it when a passphrase is lost.

The organisation keeps an X25519 key pair.  Its public half is configured on every laptop
(``CSE_RECOVERY_PUBLIC_KEY`` = path to a PEM file, or ``recovery-public-key.pem`` in the app's
configuration folder); the data key is then also wrapped to it.  Its private half stays
offline with the organisation and is used only through :func:`recover_store`, which sets a
new passphrase for the practitioner without losing unsynced work.  There is no other way in.

The key is pinned inside the encrypted store the first time it is seen (first run, or the
first unlock after it is configured), with its fingerprint in the audit log.  A different key
appearing later in the configuration folder (anyone who can write to ``~/.config`` could put
one there) is refused and reported; it replaces the pinned key only when the practitioner
confirms the change with their passphrase.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from ..crypto.keyfile import (
    KeyFileError,
    WrongPassphrase,
    load_recovery_private_key,
    load_recovery_public_key,
    recovery_key_id,
)
from ..crypto.memory import wipe_bytes
from ..paths import config_dir
from ..records import Actor, Role
from ..store import Store
from .errors import ServiceError

ENV_VAR = "CSE_RECOVERY_PUBLIC_KEY"
FILE_NAME = "recovery-public-key.pem"
PIN_META = "recovery_public_key"  # the pinned key (PEM), inside the encrypted store


def recovery_key_path() -> Path | None:
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured)
    default = config_dir() / FILE_NAME
    return default if default.exists() else None


def configured_recovery_key() -> X25519PublicKey | None:
    """The organisation's recovery public key, if this install has one."""
    path = recovery_key_path()
    if path is None:
        return None
    try:
        return load_recovery_public_key(path.read_bytes())
    except (OSError, ValueError, KeyFileError) as exc:
        raise ServiceError(
            f"The organisation's recovery key at {path} could not be read. Ask your IT team "
            "for a new copy of the recovery public key file."
        ) from exc


def recovery_fingerprint(public_key: X25519PublicKey) -> str:
    """A short, readable fingerprint of a recovery public key (SHA-256, 20 bytes in groups).

    IT can read it out over the phone and compare it with the organisation's own record.
    """
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest()[:40].upper()
    return " ".join(digest[i:i + 4] for i in range(0, len(digest), 4))


def _pem(public_key: X25519PublicKey) -> str:
    return public_key.public_bytes(serialization.Encoding.PEM,
                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


@dataclass(frozen=True)
class RecoveryKeyMismatch:
    """The configured recovery key differs from the one pinned in the encrypted store.

    Nothing was changed: the pinned key keeps its slot until the practitioner confirms the
    change with their passphrase (:func:`accept_configured_recovery_key`).
    """

    pinned_fingerprint: str
    configured_fingerprint: str

    @property
    def message(self) -> str:
        return ("The organisation's recovery key on this computer has changed. It was NOT "
                "used: your records still use the recovery key they were set up with "
                f"(fingerprint {self.pinned_fingerprint}). The new key has fingerprint "
                f"{self.configured_fingerprint}. Ask your IT team whether they changed it. "
                "Only if they confirm the new fingerprint, accept it with your passphrase.")


def pinned_recovery_key(store: Store) -> X25519PublicKey | None:
    """The recovery key pinned in the encrypted store (at first run or first configuration)."""
    pem = store.get_meta(PIN_META)
    if not pem:
        return None
    return load_recovery_public_key(str(pem).encode("ascii"))


def _ensure_slot(store: Store, public_key: X25519PublicKey) -> bool:
    """Wrap the data key to ``public_key`` unless the key file already has that slot."""
    slots = Store.key_file(store.data_dir).read()["slots"]
    wanted = recovery_key_id(public_key)
    if any(s.get("type") == "recovery" and s.get("key_id") == wanted for s in slots):
        return False
    store.add_recovery_key(public_key)
    return True


def apply_recovery_key(store: Store, actor: Actor,
                       configured: X25519PublicKey | None) -> RecoveryKeyMismatch | None:
    """Pin the configured recovery key the first time, and never silently change it after.

    - No key pinned yet: the configured one is pinned in the encrypted store and the data key
      is wrapped to it (audited with its fingerprint).
    - The same key: its slot is put back if the key file lost it (e.g. an older copy).
    - A different key: nothing changes; the refusal is audited with both fingerprints and
      returned so the practitioner can be told.
    Rescue bundles are sealed to the pinned key only.
    """
    pinned = pinned_recovery_key(store)
    if pinned is None:
        if configured is None:
            return None
        store.set_meta(PIN_META, _pem(configured))
        _ensure_slot(store, configured)
        store.audit(actor, "recovery_key_pinned",
                    detail=f"fingerprint {recovery_fingerprint(configured)}")
        return None
    if configured is None or _pem(configured) == _pem(pinned):
        if _ensure_slot(store, pinned):
            store.audit(actor, "recovery_slot_restored",
                        detail=f"fingerprint {recovery_fingerprint(pinned)}")
        return None
    mismatch = RecoveryKeyMismatch(recovery_fingerprint(pinned), recovery_fingerprint(configured))
    store.audit(actor, "recovery_key_refused",
                detail=f"pinned {mismatch.pinned_fingerprint}; "
                       f"configured {mismatch.configured_fingerprint}")
    return mismatch


def accept_configured_recovery_key(store: Store, actor: Actor, passphrase: str) -> str:
    """Switch to the configured recovery key, confirmed by the practitioner's passphrase.

    Only now is the old recovery slot replaced.  Returns the new key's fingerprint.
    """
    configured = configured_recovery_key()
    if configured is None:
        raise ServiceError("There is no recovery key configured on this computer.")
    try:
        wipe_bytes(Store.key_file(store.data_dir).unwrap(passphrase))
    except WrongPassphrase as exc:
        raise ServiceError("Your passphrase is not right, so the recovery key was not "
                           "changed.") from exc
    old = pinned_recovery_key(store)
    new_print = recovery_fingerprint(configured)
    store.add_recovery_key(configured)  # replaces the old slot
    store.set_meta(PIN_META, _pem(configured))
    old_print = recovery_fingerprint(old) if old else "none"
    store.audit(actor, "recovery_key_changed",
                detail=f"from {old_print} to {new_print}; confirmed with passphrase")
    return new_print


def recover_store(data_dir: Path, private_key_pem: bytes, new_passphrase: str, *,
                  key_password: bytes | None = None, done_by: str = "Organisation recovery") -> int:
    """Open a store with the organisation's private key and set a new passphrase.

    Returns the number of records found, so the person doing it can tell the practitioner.
    """
    from .session import MIN_PASSPHRASE_LENGTH  # avoid an import cycle at module load

    if len(new_passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ServiceError(f"Choose a passphrase of at least {MIN_PASSPHRASE_LENGTH} characters.")
    key_file = Store.key_file(data_dir)
    if not key_file.exists():
        raise ServiceError(f"There are no records in {data_dir}.")
    try:
        private_key = load_recovery_private_key(private_key_pem, key_password)
        data_key = key_file.recover(private_key)
    except (ValueError, TypeError) as exc:
        raise ServiceError("The recovery private key could not be read. Check the file and "
                           "its password.") from exc
    except KeyFileError as exc:
        raise ServiceError(str(exc)) from exc
    try:
        store = Store.open_with_key(data_dir, data_key)
    except BaseException:
        wipe_bytes(data_key)
        raise
    try:
        key_file.rewrap(data_key, new_passphrase)
        user = store.get_meta("user") or {}
        actor = Actor(str(user.get("user_id") or "recovery"), done_by,
                      Role(user.get("role") or Role.ADMIN.value), store.device_id)
        store.audit(actor, "recover", detail="passphrase reset with the organisation's key")
        return store.count()
    finally:
        wipe_bytes(data_key)
        store.lock()
