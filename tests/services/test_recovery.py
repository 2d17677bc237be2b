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
