"""Opening the practitioner's records: first run, unlock, lock, passphrase changes.

A :class:`Session` is an unlocked store plus who is using it and the form library.  The UI
holds one while unlocked and drops it on lock.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..clock import SYSTEM_CLOCK, Clock
from ..crypto.identity import SigningIdentity, create_local_identity
from ..crypto.keyfile import KdfParams, TooManyAttempts, WrongPassphrase
from ..crypto.memory import wipe_bytes, wipe_str
from ..forms import FormLibrary, default_library
from ..records import Actor, Role, new_id
from ..store import Store
from ..store.wipe import FinishedWipe, wipe_interrupted
from ..store.wipe import finish_interrupted_wipe as _finish_wipe
from .errors import CertificateExpired, ServiceError
from .indexing import make_indexer
from .organisation import OLD_DEFAULT_NAME, organisation_setting
from .recovery import RecoveryKeyMismatch, apply_recovery_key, configured_recovery_key

MIN_PASSPHRASE_LENGTH = 10
MAX_IDLE_MINUTES = 60  # a laptop left open in a café must lock itself within the hour


class Workspace(Protocol):
    """What read models need: the open store, the form library and who is looking."""

    store: Store
    library: FormLibrary
    actor: Actor

    @property
    def clock(self) -> Clock: ...


@dataclass
class Session:
    store: Store
    actor: Actor
    library: FormLibrary
    data_dir: Path
    # Set at unlock when the configured recovery key differs from the pinned one (not used).
    recovery_key_mismatch: RecoveryKeyMismatch | None = None

    @property
    def clock(self) -> Clock:
        """Where this session's time comes from (the store's clock)."""
        return self.store.clock

    @property
    def organisation(self) -> dict[str, Any]:
        return dict(self.store.get_meta("organisation") or organisation_setting(None))

    @property
    def is_demo(self) -> bool:
        return bool(self.store.get_meta("demo", False))

    def signing_identity(self) -> SigningIdentity:
        """The enrolled identity, or a local self-signed one made on first use (and made
        again when it runs out).  An expired partnership certificate is refused with
        ``CertificateExpired``: sync renews it."""
        now = self.clock.now()
        stored = self.store.get_meta("signing_identity")
        if stored:
            identity = SigningIdentity.from_dict(stored)
            if identity.usable_at(now):
                return identity
            if not identity.self_signed:
                raise CertificateExpired(identity.not_valid_before, identity.not_valid_after,
                                         now)
        identity = create_local_identity(self.actor.name, self.actor.role.label,
                                         self.organisation["name"], now=now)
        self.store.set_meta("signing_identity", identity.to_dict())
        self.store.audit(self.actor, "signing_identity",
                         detail="local identity made" if not stored else "local identity renewed")
        return identity

    def check_passphrase(self, passphrase: str) -> bool:
        """Re-entry of the passphrase before signing.  Wrong attempts count as at unlock."""
        try:
            wipe_bytes(Store.key_file(self.data_dir).unwrap(passphrase))
        except WrongPassphrase:
            return False
        return True

    def idle_minutes(self, default: float) -> float:
        """How long without activity before the app locks (the practitioner's setting)."""
        value = self.store.get_meta("idle_minutes")
        return float(value) if isinstance(value, int | float) and value > 0 else default

    def set_idle_minutes(self, minutes: float) -> None:
        if not 1 <= minutes <= MAX_IDLE_MINUTES:
            raise ServiceError(f"Choose between 1 and {MAX_IDLE_MINUTES} minutes.")
        self.store.set_meta("idle_minutes", minutes)
        self.store.audit(self.actor, "settings", detail=f"lock after {minutes:g} minutes idle")

    def keep_interrupted(self, what: dict[str, Any]) -> None:
        """Keep a half-filled dialog (e.g. Add a child) through a lock, in the encrypted store."""
        self.store.set_meta("interrupted_dialog", what)

    def take_interrupted(self) -> dict[str, Any] | None:
        """The dialog kept by the last lock, once (it is forgotten as it is handed back)."""
        what = self.store.get_meta("interrupted_dialog")
        if what:
            self.store.set_meta("interrupted_dialog", None)
        return what if isinstance(what, dict) else None

    def lock(self) -> None:
        self.store.lock()


def forget_passphrase(text: str) -> None:
    """Overwrite a passphrase string the caller made and no longer needs (see
    crypto.memory): for the unlock screen, after its attempt is over."""
    wipe_str(text)


def passphrase_feedback(passphrase: str) -> tuple[int, str]:
    """A 0-4 strength estimate with a plain hint.  Length matters most; no silly rules."""
    length = len(passphrase)
    kinds = sum(
        [
            any(c.islower() for c in passphrase),
            any(c.isupper() for c in passphrase),
            any(c.isdigit() for c in passphrase),
            any(not c.isalnum() for c in passphrase),
        ]
    )
    words = len(passphrase.split())
    if length < MIN_PASSPHRASE_LENGTH:
        return 0, f"Use at least {MIN_PASSPHRASE_LENGTH} characters. A short sentence is easiest."
    if len(set(passphrase)) < 5:
        return 1, "Avoid repeating the same few characters."
    score = 1 + (length >= 14) + (length >= 20 or words >= 4) + (kinds >= 3 and length >= 12)
    hints = {
        1: "Fair. A longer phrase of a few unrelated words would be stronger.",
        2: "Good.",
        3: "Strong.",
        4: "Very strong.",
    }
    return min(score, 4), hints[min(score, 4)]


def store_exists(data_dir: Path) -> bool:
    """True when there are records to unlock (a wipe cut short by a kill does not count)."""
    return Store.exists(data_dir) and not wipe_interrupted(data_dir)


def finish_interrupted_wipe(data_dir: Path) -> FinishedWipe | None:
    """Finish removing records that a kill interrupted after the device was withdrawn (the
    rescue bundle was already written).  Returns what to tell the practitioner, or None."""
    return _finish_wipe(data_dir)


def first_run(
    data_dir: Path,
    passphrase: str,
    *,
    name: str,
    role: Role,
    organisation: str | None = None,
    kdf: KdfParams | None = None,
    library: FormLibrary | None = None,
    demo: bool = False,
    clock: Clock = SYSTEM_CLOCK,
) -> Session:
    """Create the encrypted store and the practitioner's profile."""
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ServiceError(f"Choose a passphrase of at least {MIN_PASSPHRASE_LENGTH} characters.")
    if not name.strip():
        raise ServiceError("Enter your name as it should appear on signed forms.")
    library = library or default_library()
    _finish_wipe(data_dir)  # a withdrawal's wipe cut short: its rescue bundle is already safe
    recovery_key = None if demo else configured_recovery_key()
    store = Store.create(data_dir, passphrase, kdf=kdf, indexer=make_indexer(library),
                         recovery_public_key=recovery_key, clock=clock)
    store.set_meta("user", {"user_id": new_id(), "name": name.strip(), "role": role.value})
    store.set_meta("organisation", organisation_setting(organisation))
    store.set_meta("demo", demo)
    session = _session(store, data_dir, library)
    store.audit(session.actor, "first_run", detail="store created")
    # Pins the key in the encrypted store (with its fingerprint in the audit log); rescue
    # bundles are sealed to it.
    apply_recovery_key(store, session.actor, recovery_key)
    return session


def unlock(data_dir: Path, passphrase: str, *, library: FormLibrary | None = None,
           clock: Clock = SYSTEM_CLOCK) -> Session:
    """Open the store.  Raises WrongPassphrase / TooManyAttempts with plain messages."""
    library = library or default_library()
    finished = _finish_wipe(data_dir)
    if finished is not None:
        raise ServiceError(finished.message + " Set the app up again to carry on.")
    store = Store.unlock(data_dir, passphrase, indexer=make_indexer(library), clock=clock)
    session = _session(store, data_dir, library)
    # A recovery key configured after this store was made is pinned now; a different one is
    # never applied silently.  A broken key file must not stop the practitioner working:
    # first run reports it; here the pinned key stays in use.
    configured = None
    with contextlib.suppress(ServiceError):
        configured = configured_recovery_key()
    session.recovery_key_mismatch = apply_recovery_key(store, session.actor, configured)
    _correct_old_demo_name(session)
    store.audit(session.actor, "unlock")
    return session


def _correct_old_demo_name(session: Session) -> None:
    """Earlier versions named every new store's organisation "… (demo)", and real stores
    printed it on signed forms.  A real store that still has that name gets the plain one
    (enrolment or the first-run name replace it)."""
    setting = session.store.get_meta("organisation") or {}
    if session.is_demo or setting.get("name") != OLD_DEFAULT_NAME:
        return
    with session.store.transaction() as conn:
        session.store.set_meta("organisation", {**setting,
                                                "name": organisation_setting(None)["name"]})
        session.store.audit(session.actor, "settings_changed", conn=conn,
                            detail="organisation name: the demo name removed from a real store")


def seconds_until_next_attempt(data_dir: Path) -> float:
    return Store.key_file(data_dir).seconds_to_wait()


def _session(store: Store, data_dir: Path, library: FormLibrary) -> Session:
    user = store.get_meta("user") or {}
    actor = Actor(
        user_id=str(user.get("user_id") or "unknown"),
        name=str(user.get("name") or "Unknown practitioner"),
        role=Role(user.get("role") or Role.OUTREACH_WORKER.value),
        device_id=store.device_id,
    )
    return Session(store=store, actor=actor, library=library, data_dir=Path(data_dir))


def change_passphrase(session: Session, old: str, new: str) -> None:
    if len(new) < MIN_PASSPHRASE_LENGTH:
        raise ServiceError(f"Choose a passphrase of at least {MIN_PASSPHRASE_LENGTH} characters.")
    try:
        session.store.change_passphrase(old, new)
    except WrongPassphrase as exc:
        raise ServiceError("Your current passphrase is not right.") from exc
    session.store.audit(session.actor, "change_passphrase")


__all__ = [
    "Session",
    "TooManyAttempts",
    "WrongPassphrase",
    "change_passphrase",
    "finish_interrupted_wipe",
    "first_run",
    "passphrase_feedback",
    "seconds_until_next_attempt",
    "store_exists",
    "unlock",
]
