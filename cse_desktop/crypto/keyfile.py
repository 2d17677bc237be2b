"""The key file: the database's random data key, wrapped, never stored in the clear.

Layout (JSON, versioned)::

    {"format": "cse-desktop-keyfile", "version": 1,
     "kdf": {"name": "scrypt", "n": 131072, "r": 8, "p": 1, "salt": b64},
     "slots": [
        {"type": "passphrase", "nonce": b64, "ciphertext": b64},
        {"type": "recovery", "key_id": hex, "ephemeral_public": b64, "nonce": b64,
         "ciphertext": b64}],
     "failures": {"count": 0, "last_at": null}}

The passphrase slot is AES-256-GCM under a key derived by scrypt (memory-hard).  The optional
recovery slot wraps the same data key to the organisation's X25519 recovery public key
(ephemeral-static ECDH + HKDF-SHA256 + AES-256-GCM), so a forgotten passphrase does not
destroy unsynced casework: only the organisation's offline private key opens that slot.

Repeated wrong passphrases are slowed down by a persistent failure counter kept in the file.
The file holds no personal data, so it is replaced atomically with an ordinary rename.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ..clock import SYSTEM_CLOCK, Clock
from .memory import wipe_bytes

FORMAT = "cse-desktop-keyfile"
VERSION = 1
DATA_KEY_BYTES = 32
_AAD_PASSPHRASE = b"cse-desktop data key v1 passphrase slot"
_AAD_RECOVERY = b"cse-desktop data key v1 recovery slot"


class KeyFileError(Exception):
    """The key file is missing, damaged or of an unknown kind."""


class WrongPassphrase(Exception):
    """The passphrase does not open this store."""

    def __init__(self, failures: int, wait_seconds: float) -> None:
        self.failures = failures
        self.wait_seconds = wait_seconds
        super().__init__(
            "That passphrase is not right. Check Caps Lock and try again."
            if wait_seconds <= 0
            else f"That passphrase is not right. You can try again in {wait_seconds:.0f} seconds."
        )


class TooManyAttempts(Exception):
    """The user must wait before trying another passphrase."""

    def __init__(self, wait_seconds: float) -> None:
        self.wait_seconds = wait_seconds
        super().__init__(
            f"Too many wrong passphrases. Please wait {max(1, round(wait_seconds))} seconds "
            "and try again."
        )


@dataclass(frozen=True)
class KdfParams:
    n: int = 2**18
    r: int = 8
    p: int = 1

    @classmethod
    def fast_for_tests(cls) -> KdfParams:
        """The smallest parameters the product accepts (the floor): tests, demo, self-test."""
        return KDF_FLOOR

    @property
    def memory_bytes(self) -> int:
        return 128 * self.n * self.r

    def below_floor(self) -> bool:
        return self.n < KDF_FLOOR.n or self.r < KDF_FLOOR.r or self.memory_bytes < (
            KDF_FLOOR.memory_bytes)

    def above_ceiling(self) -> bool:
        return (self.n > KDF_CEILING_N or self.r > KDF_CEILING_R or self.p > KDF_CEILING_P
                or self.memory_bytes > KDF_CEILING_MEMORY)


# The floor: weaker key files (made by a bug or an old version) still open once and are
# rewrapped with the default parameters straight away; nothing below it is ever written.
KDF_FLOOR = KdfParams(n=2**14, r=8, p=1)  # 16 MiB
# The ceiling: a key file asking for more is refused at once, before any work, instead of
# freezing the laptop for minutes and eating all its memory.
KDF_CEILING_N = 2**20
KDF_CEILING_R = 16
KDF_CEILING_P = 4
KDF_CEILING_MEMORY = 1024 * 1024 * 1024  # 1 GiB


def _damaged(path: object, what: str) -> KeyFileError:
    return KeyFileError(
        f"The key file at {path} is damaged ({what}), so your records cannot be opened with "
        "it. Nothing was changed. Put back a copy of records.key from your backup, or ask your "
        "IT team: the organisation's recovery key can still open your records.")


def kdf_params(content: dict[str, Any], where: object = "this key file") -> KdfParams:
    """The key file's scrypt settings, checked: malformed, or above the ceiling, is refused."""
    kdf = content.get("kdf")
    if not isinstance(kdf, dict) or kdf.get("name") != "scrypt":
        raise _damaged(where, "unknown key stretching settings")
    values: list[Any] = [kdf.get(k) for k in ("n", "r", "p")]
    if not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in values):
        raise _damaged(where, "key stretching settings are not whole numbers")
    params = KdfParams(n=values[0], r=values[1], p=values[2])
    if params.n < 2 or params.n & (params.n - 1):
        raise _damaged(where, "key stretching settings are not valid")
    if params.above_ceiling():
        raise KeyFileError(
            f"The key file at {where} asks for far more memory or time than this app ever "
            "uses, so it was not tried: it is damaged or was changed by someone. Put back a "
            "copy of records.key from your backup, or ask your IT team.")
    salt = kdf.get("salt")
    try:
        if not isinstance(salt, str) or len(_unb64(salt)) < 16:
            raise ValueError
    except ValueError:
        raise _damaged(where, "the salt is missing") from None
    return params


def _check_slots(content: dict[str, Any], where: object) -> None:
    slots = content.get("slots")
    if not isinstance(slots, list) or not all(isinstance(s, dict) for s in slots):
        raise _damaged(where, "the wrapped keys are missing")
    passphrase = [s for s in slots if s.get("type") == "passphrase"]
    if len(passphrase) != 1:
        raise _damaged(where, "the passphrase slot is missing")
    for slot in slots:
        fields = (("nonce", "ciphertext") if slot.get("type") == "passphrase" else
                  ("nonce", "ciphertext", "ephemeral_public") if slot.get("type") == "recovery"
                  else ())
        try:
            for name in fields:
                if not isinstance(slot.get(name), str):
                    raise ValueError
                _unb64(slot[name])
        except ValueError:
            raise _damaged(where, f"the {slot.get('type')} slot is unreadable") from None
    failures = content.get("failures") or {}
    count, last = (failures.get("count", 0), failures.get("last_at")) if isinstance(
        failures, dict) else (None, None)
    if not isinstance(count, int) or not (last is None or isinstance(last, int | float)):
        raise _damaged(where, "the attempt counter is unreadable")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def failure_delay(failures: int) -> float:
    """Seconds to wait after ``failures`` wrong passphrases in a row: 0,0,0,2,4,8,...,300."""
    if failures < 3:
        return 0.0
    return float(min(300, 2 ** (failures - 2)))


def derive_passphrase_key(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=params.n, r=params.r, p=params.p)
    secret = passphrase.encode("utf-8")
    try:
        return kdf.derive(secret)
    finally:
        wipe_bytes(secret)


def unwrap_passphrase_slot(content: dict[str, Any], passphrase: str) -> bytes:
    """The data key from a key file's content (raises InvalidTag for a wrong passphrase).

    Works in memory, e.g. on the copy of the slot inside a rescue bundle.
    """
    params = kdf_params(content)
    _check_slots(content, "this key file")
    wrapping_key = derive_passphrase_key(passphrase, _unb64(content["kdf"]["salt"]), params)
    slot = next(s for s in content["slots"] if s["type"] == "passphrase")
    try:
        return AESGCM(wrapping_key).decrypt(
            _unb64(slot["nonce"]), _unb64(slot["ciphertext"]), _AAD_PASSPHRASE
        )
    finally:
        wipe_bytes(wrapping_key)


def recovery_key_id(public_key: X25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _recovery_wrapping_key(shared: bytes, ephemeral_public: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=ephemeral_public, info=_AAD_RECOVERY
    ).derive(shared)


def wrap_to_recovery_key(data_key: bytes, public_key: X25519PublicKey) -> dict[str, str]:
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    wrapping_key = _recovery_wrapping_key(ephemeral.exchange(public_key), ephemeral_public)
    nonce = secrets.token_bytes(12)
    return {
        "type": "recovery",
        "key_id": recovery_key_id(public_key),
        "ephemeral_public": _b64(ephemeral_public),
        "nonce": _b64(nonce),
        "ciphertext": _b64(AESGCM(wrapping_key).encrypt(nonce, data_key, _AAD_RECOVERY)),
    }


def unwrap_with_recovery_key(slot: dict[str, Any], private_key: X25519PrivateKey) -> bytes:
    ephemeral_public = _unb64(slot["ephemeral_public"])
    shared = private_key.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    wrapping_key = _recovery_wrapping_key(shared, ephemeral_public)
    try:
        return AESGCM(wrapping_key).decrypt(
            _unb64(slot["nonce"]), _unb64(slot["ciphertext"]), _AAD_RECOVERY
        )
    except InvalidTag as exc:
        raise KeyFileError("This recovery key does not belong to this store.") from exc


def load_recovery_public_key(pem: bytes) -> X25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, X25519PublicKey):
        raise KeyFileError("The organisation's recovery key must be an X25519 public key.")
    return key


def load_recovery_private_key(pem: bytes, password: bytes | None = None) -> X25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=password)
    if not isinstance(key, X25519PrivateKey):
        raise KeyFileError("The recovery private key must be an X25519 private key.")
    return key


class KeyFile:
    """Reads and writes the wrapped data key beside the database."""

    def __init__(self, path: Path, clock: Clock = SYSTEM_CLOCK) -> None:
        self.path = Path(path)
        self.clock = clock  # times wrong attempts (the slow-down survives restarts)

    def exists(self) -> bool:
        return self.path.exists()

    # -- reading and writing -------------------------------------------------------------------

    def read(self) -> dict[str, Any]:
        try:
            content = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError as exc:
            raise KeyFileError(f"No key file at {self.path}.") from exc
        except (OSError, ValueError) as exc:
            raise KeyFileError(f"The key file at {self.path} is damaged.") from exc
        if not isinstance(content, dict) or content.get("format") != FORMAT:
            raise KeyFileError(f"{self.path} is not a cse-desktop key file.")
        if content.get("version") != VERSION:
            raise KeyFileError(
                f"The key file at {self.path} was made by a newer version of the app."
            )
        kdf_params(content, self.path)
        _check_slots(content, self.path)
        return content

    def _write(self, content: dict[str, Any]) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".new")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()  # left by a kill: start afresh, private from the first byte
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(content, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
        with contextlib.suppress(OSError):  # not every file system has modes
            os.chmod(self.path, 0o600)

    # -- operations ----------------------------------------------------------------------------

    def create(
        self,
        passphrase: str,
        *,
        params: KdfParams | None = None,
        recovery_public_key: X25519PublicKey | None = None,
    ) -> bytes:
        """Make a new random data key, wrap it, write the file, and return the key."""
        if self.exists():
            raise KeyFileError(f"A key file already exists at {self.path}.")
        data_key = secrets.token_bytes(DATA_KEY_BYTES)
        content = self._wrap(data_key, passphrase, params or KdfParams(), recovery_public_key)
        self._write(content)
        return data_key

    def _wrap(
        self,
        data_key: bytes,
        passphrase: str,
        params: KdfParams,
        recovery_public_key: X25519PublicKey | None,
        failures: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        if params.below_floor() or params.above_ceiling():
            raise KeyFileError("These key stretching settings are outside what the app allows.")
        salt = secrets.token_bytes(16)
        nonce = secrets.token_bytes(12)
        wrapping_key = derive_passphrase_key(passphrase, salt, params)
        slots: list[dict[str, str]] = [
            {
                "type": "passphrase",
                "nonce": _b64(nonce),
                "ciphertext": _b64(AESGCM(wrapping_key).encrypt(nonce, data_key, _AAD_PASSPHRASE)),
            }
        ]
        wipe_bytes(wrapping_key)
        if recovery_public_key is not None:
            slots.append(wrap_to_recovery_key(data_key, recovery_public_key))
        return {
            "format": FORMAT,
            "version": VERSION,
            "kdf": {"name": "scrypt", "n": params.n, "r": params.r, "p": params.p,
                    "salt": _b64(salt)},
            "slots": slots,
            "failures": failures or {"count": 0, "last_at": None},
        }

    def seconds_to_wait(self, now: float | None = None) -> float:
        content = self.read()
        failures = content.get("failures") or {}
        delay = failure_delay(int(failures.get("count", 0)))
        last = failures.get("last_at")
        if not delay or last is None:
            return 0.0
        now = self.clock.now().timestamp() if now is None else now
        return max(0.0, float(last) + delay - now)

    def unwrap(self, passphrase: str) -> bytes:
        """Return the data key, or raise WrongPassphrase / TooManyAttempts."""
        content = self.read()
        wait = self.seconds_to_wait()
        if wait > 0:
            raise TooManyAttempts(wait)
        try:
            data_key = unwrap_passphrase_slot(content, passphrase)
        except InvalidTag:
            count = int((content.get("failures") or {}).get("count", 0)) + 1
            content["failures"] = {"count": count, "last_at": self.clock.now().timestamp()}
            self._write(content)
            raise WrongPassphrase(count, failure_delay(count)) from None
        if kdf_params(content, self.path).below_floor():
            # Made by an old version or a bug: upgrade now, while the passphrase is at hand.
            self.rewrap(data_key, passphrase, KdfParams())
        elif (content.get("failures") or {}).get("count"):
            content["failures"] = {"count": 0, "last_at": None}
            self._write(content)
        return data_key

    def rewrap(self, data_key: bytes, new_passphrase: str, params: KdfParams | None = None) -> None:
        """Wrap the same data key under a new passphrase; the database is not re-encrypted."""
        content = self.read()
        if params is None:
            params = kdf_params(content, self.path)
            if params.below_floor():
                params = KdfParams()  # never keep settings below the floor
        recovery = [s for s in content["slots"] if s["type"] == "recovery"]
        fresh = self._wrap(data_key, new_passphrase, params, None)
        fresh["slots"].extend(recovery)
        self._write(fresh)

    def add_recovery_slot(self, data_key: bytes, public_key: X25519PublicKey) -> None:
        content = self.read()
        content["slots"] = [s for s in content["slots"] if s["type"] != "recovery"]
        content["slots"].append(wrap_to_recovery_key(data_key, public_key))
        self._write(content)

    def has_recovery_slot(self) -> bool:
        return any(s["type"] == "recovery" for s in self.read()["slots"])

    def recover(self, private_key: X25519PrivateKey) -> bytes:
        """Open the recovery slot with the organisation's offline private key."""
        content = self.read()
        slots = [s for s in content["slots"] if s["type"] == "recovery"]
        if not slots:
            raise KeyFileError("This store has no recovery slot.")
        return unwrap_with_recovery_key(slots[0], private_key)

    def wipe(self) -> None:
        """Overwrite and delete the key file: without it the database cannot be opened."""
        if not self.path.exists():
            return
        size = self.path.stat().st_size
        with open(self.path, "r+b") as handle:
            handle.write(secrets.token_bytes(size))
            handle.flush()
            os.fsync(handle.fileno())
        self.path.unlink()
