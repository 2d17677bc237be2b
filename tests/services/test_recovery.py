"""The organisation's recovery key: configured at first run or later, used via `recover`."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from cse_desktop.app import main
from cse_desktop.crypto import KdfParams, WrongPassphrase
from cse_desktop.records import Role
from cse_desktop.services.casework import Casework
from cse_desktop.services.errors import ServiceError
from cse_desktop.services.recovery import recover_store
from cse_desktop.services.session import first_run, unlock
from cse_desktop.store import Store

FORGOTTEN = "the passphrase nobody remembers"
FAST = KdfParams.fast_for_tests()


@pytest.fixture
def organisation_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> X25519PrivateKey:
    key = X25519PrivateKey.generate()
    public = tmp_path / "recovery-public-key.pem"
    public.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    monkeypatch.setenv("CSE_RECOVERY_PUBLIC_KEY", str(public))
    return key


def _private_pem(key: X25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _recovery_meta(data_dir: Path) -> str | None:
    """The key rescue bundles are sealed to (see cse_desktop.sync.rescue)."""
    session = unlock(data_dir, FORGOTTEN)
    try:
        return session.store.get_meta("recovery_public_key")
    finally:
        session.lock()


def _store_with_unsynced_note(data_dir: Path) -> str:
    session = first_run(data_dir, FORGOTTEN, name="Nadia Example", role=Role.OUTREACH_WORKER,
                        kdf=FAST)
    work = Casework(session)
    child = work.add_child({"first_name": "Kai", "last_name": "Testperson",
                            "date_of_birth": "2012-02-02"})
    note = work.quick_note(child.id, {"occurred_at": "2026-11-20T10:00:00+00:00",
                                      "contact_type": "outreach", "summary": "Not synced yet"})
    assert session.store.pending_count() > 0
    session.lock()
    return note.id


def test_forgotten_passphrase_is_recovered_with_the_organisations_key(
        tmp_path: Path, organisation_key: X25519PrivateKey) -> None:
    data_dir = tmp_path / "laptop"
    note_id = _store_with_unsynced_note(data_dir)
    assert Store.key_file(data_dir).has_recovery_slot()
    assert _recovery_meta(data_dir) == organisation_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    records = recover_store(data_dir, _private_pem(organisation_key), "a brand new passphrase")
    assert records == 2
    session = unlock(data_dir, "a brand new passphrase")
    assert session.store.get(note_id).data["summary"] == "Not synced yet"
    assert session.store.pending_count() > 0  # the unsynced work is still queued
    assert any(e.action == "recover" for e in session.store.audit_entries())
    session.lock()
    with pytest.raises(WrongPassphrase):
        unlock(data_dir, FORGOTTEN)


def test_a_different_private_key_recovers_nothing(tmp_path: Path, organisation_key) -> None:
    data_dir = tmp_path / "laptop"
    _store_with_unsynced_note(data_dir)
    with pytest.raises(ServiceError, match="does not belong"):
        recover_store(data_dir, _private_pem(X25519PrivateKey.generate()), "another passphrase")
    unlock(data_dir, FORGOTTEN).lock()  # nothing changed


def test_key_configured_later_is_added_at_next_unlock(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "laptop"
    monkeypatch.delenv("CSE_RECOVERY_PUBLIC_KEY", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    _store_with_unsynced_note(data_dir)
    assert not Store.key_file(data_dir).has_recovery_slot()
    key = X25519PrivateKey.generate()
    public = tmp_path / "org.pem"
    public.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    monkeypatch.setenv("CSE_RECOVERY_PUBLIC_KEY", str(public))
    unlock(data_dir, FORGOTTEN).lock()
    assert Store.key_file(data_dir).has_recovery_slot()
    assert recover_store(data_dir, _private_pem(key), "recovered passphrase 1") == 2


def test_broken_recovery_key_file_is_reported_plainly_at_first_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "broken.pem"
    broken.write_text("not a key")
    monkeypatch.setenv("CSE_RECOVERY_PUBLIC_KEY", str(broken))
    with pytest.raises(ServiceError, match="could not be read"):
        first_run(tmp_path / "laptop", FORGOTTEN, name="N", role=Role.OUTREACH_WORKER, kdf=FAST)


def test_recover_command(tmp_path: Path, organisation_key, monkeypatch, capsys) -> None:
    data_dir = tmp_path / "laptop"
    _store_with_unsynced_note(data_dir)
    private = tmp_path / "org-private.pem"
    private.write_bytes(_private_pem(organisation_key))
    answers = iter(["new passphrase from IT", "new passphrase from IT"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code = main(["recover", "--recovery-key", str(private), "--data-dir", str(data_dir),
                 "--by", "IG Lead"])
    assert code == 0
    assert "unlock 2 records" in capsys.readouterr().out
    unlock(data_dir, "new passphrase from IT").lock()


def _write_public(path: Path, key: X25519PrivateKey) -> Path:
    path.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return path


def test_a_swapped_recovery_key_is_refused_and_the_pinned_one_keeps_working(
        tmp_path: Path, organisation_key: X25519PrivateKey,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone who can write to ~/.config puts their own recovery key there: it must not take
    over the store, and the organisation's key must keep working."""
    from cse_desktop.services.recovery import recovery_fingerprint
    from cse_desktop.sync import rescue

    data_dir = tmp_path / "laptop"
    _store_with_unsynced_note(data_dir)
    pinned_print = recovery_fingerprint(organisation_key.public_key())
    attacker = X25519PrivateKey.generate()
    monkeypatch.setenv("CSE_RECOVERY_PUBLIC_KEY",
                       str(_write_public(tmp_path / "swapped.pem", attacker)))
    session = unlock(data_dir, FORGOTTEN)
    mismatch = session.recovery_key_mismatch
    assert mismatch is not None
    assert mismatch.pinned_fingerprint == pinned_print
    assert mismatch.configured_fingerprint == recovery_fingerprint(attacker.public_key())
    assert pinned_print in mismatch.message and "NOT" in mismatch.message
    entries = session.store.audit_entries()
    assert any(e.action == "recovery_key_pinned" and pinned_print in e.detail for e in entries)
    refused = [e for e in entries if e.action == "recovery_key_refused"]
    assert len(refused) == 1 and mismatch.configured_fingerprint in refused[0].detail
    # Rescue bundles stay sealed to the organisation's key.
    bundle = rescue.write_bundle(session.store, "test", tmp_path / "rescue")
    session.lock()
    assert rescue.open_bundle(bundle, recovery_private_key=organisation_key).changes
    with pytest.raises(Exception, match="does not belong"):
        rescue.open_bundle(bundle, recovery_private_key=attacker)
    # The attacker's key opens nothing; the organisation's still does.
    with pytest.raises(ServiceError, match="does not belong"):
        recover_store(data_dir, _private_pem(attacker), "attacker passphrase 1")
    assert recover_store(data_dir, _private_pem(organisation_key), "recovered passphrase 1") == 2


def test_a_new_recovery_key_is_used_only_after_the_passphrase_confirms_it(
        tmp_path: Path, organisation_key: X25519PrivateKey,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from cse_desktop.services.recovery import (
        accept_configured_recovery_key,
        recovery_fingerprint,
    )

    data_dir = tmp_path / "laptop"
    _store_with_unsynced_note(data_dir)
    rotated = X25519PrivateKey.generate()
    monkeypatch.setenv("CSE_RECOVERY_PUBLIC_KEY",
                       str(_write_public(tmp_path / "rotated.pem", rotated)))
    session = unlock(data_dir, FORGOTTEN)
    with pytest.raises(ServiceError, match="not right"):
        accept_configured_recovery_key(session.store, session.actor, "wrong passphrase!!")
    assert Store.key_file(data_dir).has_recovery_slot()
    assert accept_configured_recovery_key(session.store, session.actor, FORGOTTEN) == \
        recovery_fingerprint(rotated.public_key())
    changed = [e for e in session.store.audit_entries() if e.action == "recovery_key_changed"]
    assert changed and recovery_fingerprint(organisation_key.public_key()) in changed[0].detail
    session.lock()
    assert unlock(data_dir, FORGOTTEN).recovery_key_mismatch is None
    with pytest.raises(ServiceError, match="does not belong"):
        recover_store(data_dir, _private_pem(organisation_key), "old org key passphrase")
    assert recover_store(data_dir, _private_pem(rotated), "recovered passphrase 2") == 2
