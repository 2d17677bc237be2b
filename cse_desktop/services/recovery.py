"""The organisation's recovery key: configuring it, and using it when a passphrase is lost.

The organisation keeps an X25519 key pair.  Its public half is configured on every laptop
(``CSE_RECOVERY_PUBLIC_KEY`` = path to a PEM file, or ``recovery-public-key.pem`` in the app's
configuration folder); the data key is then also wrapped to it.  Its private half stays
offline with the organisation and is used only through :func:`recover_store`, which sets a
new passphrase for the practitioner without losing unsynced work.  There is no other way in.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from ..crypto.keyfile import (
    KeyFileError,
    load_recovery_private_key,
    load_recovery_public_key,
    recovery_key_id,
)
from ..paths import config_dir
from ..records import Actor, Role
from ..store import Store
from .errors import ServiceError

ENV_VAR = "CSE_RECOVERY_PUBLIC_KEY"
FILE_NAME = "recovery-public-key.pem"


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


def ensure_recovery_slot(store: Store, public_key: X25519PublicKey | None) -> bool:
    """Wrap the data key to the configured recovery key if it is not already.  True if added."""
    if public_key is None:
        return False
    # Rescue bundles (written before a revoked device is wiped) are sealed to this key too.
    pem = public_key.public_bytes(serialization.Encoding.PEM,
                                  serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")
    if store.get_meta("recovery_public_key") != pem:
        store.set_meta("recovery_public_key", pem)
    key_file = Store.key_file(store.data_dir)
    slots = key_file.read()["slots"]
    wanted = recovery_key_id(public_key)
    if any(s.get("type") == "recovery" and s.get("key_id") == wanted for s in slots):
        return False
    store.add_recovery_key(public_key)
    return True


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
    store = Store.open_with_key(data_dir, data_key)
    try:
        key_file.rewrap(data_key, new_passphrase)
        user = store.get_meta("user") or {}
        actor = Actor(str(user.get("user_id") or "recovery"), done_by,
                      Role(user.get("role") or Role.ADMIN.value), store.device_id)
        store.audit(actor, "recover", detail="passphrase reset with the organisation's key")
        return store.count()
    finally:
        store.lock()
