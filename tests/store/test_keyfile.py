"""The key file: wrapping, wrong passphrases, slowing down, rewrapping and recovery."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from cse_desktop.crypto import KdfParams, KeyFile, KeyFileError, TooManyAttempts, WrongPassphrase
from cse_desktop.crypto.keyfile import failure_delay
from cse_desktop.records import RecordType
from cse_desktop.store import Store

FAST = KdfParams.fast_for_tests()
PASSPHRASE = "a long enough passphrase"


def test_data_key_is_random_and_only_stored_wrapped(tmp_path: Path) -> None:
    first = KeyFile(tmp_path / "a.key").create("passphrase one", params=FAST)
    second = KeyFile(tmp_path / "b.key").create("passphrase one", params=FAST)
    assert len(first) == 32 and first != second
    for name, key in (("a.key", first), ("b.key", second)):
        raw = (tmp_path / name).read_bytes()
        assert key not in raw and key.hex().encode() not in raw
        content = json.loads(raw)
        assert content["kdf"]["name"] == "scrypt" and content["version"] == 1


def test_default_kdf_is_memory_hard_enough() -> None:
    params = KdfParams()
    assert params.n * params.r * 128 >= 64 * 1024 * 1024  # at least 64 MiB per derivation


def test_wrong_passphrase_is_a_clear_error_and_counts(tmp_path: Path) -> None:
    key_file = KeyFile(tmp_path / "k.key")
    key = key_file.create("right passphrase", params=FAST)
    with pytest.raises(WrongPassphrase) as info:
        key_file.unwrap("wrong passphrase")
    assert "not right" in str(info.value)
    assert info.value.failures == 1
    assert key_file.unwrap("right passphrase") == key
    assert key_file.read()["failures"]["count"] == 0


def test_repeated_failures_slow_down_and_persist(tmp_path: Path) -> None:
    key_file = KeyFile(tmp_path / "k.key")
    key_file.create("right passphrase", params=FAST)
    for _ in range(3):
        with pytest.raises(WrongPassphrase):
            key_file.unwrap("nope")
    # A new object (as after restarting the app) still knows about the failures.
    again = KeyFile(tmp_path / "k.key")
    assert again.seconds_to_wait() > 0
    with pytest.raises(TooManyAttempts) as info:
        again.unwrap("right passphrase")
    assert "wait" in str(info.value)
    assert failure_delay(3) == 2 and failure_delay(10) == 256 and failure_delay(30) == 300


def test_wrong_passphrase_on_store_never_leaks_sqlite_errors(data_dir: Path) -> None:
    Store.create(data_dir, PASSPHRASE, kdf=FAST).lock()
    with pytest.raises(WrongPassphrase):
        Store.unlock(data_dir, "not the passphrase")


def test_change_passphrase_rewraps_without_reencrypting(data_dir: Path) -> None:
    store = Store.create(data_dir, PASSPHRASE, kdf=FAST)
    store.lock()
    db = Store.db_path(data_dir)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    store.change_passphrase(PASSPHRASE, "a brand new passphrase")
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    with pytest.raises(WrongPassphrase):
        Store.unlock(data_dir, PASSPHRASE)
    Store.unlock(data_dir, "a brand new passphrase").lock()


def test_recovery_slot_opens_store_when_passphrase_is_forgotten(  # type: ignore[no-untyped-def]
    data_dir: Path, make_record
) -> None:
    organisation_key = X25519PrivateKey.generate()
    store = Store.create(data_dir, PASSPHRASE, kdf=FAST,
                         recovery_public_key=organisation_key.public_key())
    from cse_desktop.records import Actor, Role

    actor = Actor("u", "Tomasz Example", Role.OUTREACH_WORKER, store.device_id)
    note = store.add(make_record(RecordType.CASE_NOTE, {"summary": "unsynced visit"},
                                 actor=actor), actor)
    store.lock()

    key_file = Store.key_file(data_dir)
    assert key_file.has_recovery_slot()
    data_key = key_file.recover(organisation_key)
    recovered = Store.open_with_key(data_dir, data_key)
    assert recovered.get(note.id).data["summary"] == "unsynced visit"
    # The organisation can then set a new passphrase for the practitioner.
    key_file.rewrap(data_key, "new passphrase after recovery", params=FAST)
    recovered.lock()
    assert key_file.has_recovery_slot()
    Store.unlock(data_dir, "new passphrase after recovery").lock()


def test_recovery_needs_the_organisations_private_key(data_dir: Path) -> None:
    organisation_key = X25519PrivateKey.generate()
    Store.create(data_dir, PASSPHRASE, kdf=FAST,
                 recovery_public_key=organisation_key.public_key()).lock()
    with pytest.raises(KeyFileError):
        Store.key_file(data_dir).recover(X25519PrivateKey.generate())


def test_without_recovery_key_there_is_no_back_door(data_dir: Path) -> None:
    Store.create(data_dir, PASSPHRASE, kdf=FAST).lock()
    key_file = Store.key_file(data_dir)
    assert not key_file.has_recovery_slot()
    with pytest.raises(KeyFileError):
        key_file.recover(X25519PrivateKey.generate())


def test_damaged_key_file_gives_a_plain_error(tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    path.write_text("{not json")
    with pytest.raises(KeyFileError, match="damaged"):
        KeyFile(path).unwrap("anything")


def test_wipe_makes_the_store_unopenable(data_dir: Path) -> None:
    Store.create(data_dir, PASSPHRASE, kdf=FAST).lock()
    Store.key_file(data_dir).wipe()
    assert not Store.exists(data_dir)
    with pytest.raises(KeyFileError):
        Store.unlock(data_dir, PASSPHRASE)


@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_missing_database_next_to_key_file_is_refused_not_recreated(
        data_dir: Path, make_record, how: str) -> None:
    from cse_desktop.records import Actor, RecordType, Role
    from cse_desktop.store import RecordsMissing

    store = Store.create(data_dir, PASSPHRASE, kdf=KdfParams.fast_for_tests())
    actor = Actor("u", "Worker", Role.OUTREACH_WORKER, store.device_id)
    store.add(make_record(RecordType.CHILD, {"first_name": "Ola"}, actor=actor), actor)
    store.lock()
    db = Store.db_path(data_dir)
    if how == "deleted":
        db.unlink()
    else:
        db.write_bytes(b"")
    with pytest.raises(RecordsMissing) as caught:
        Store.unlock(data_dir, PASSPHRASE)
    message = str(caught.value)
    assert "missing or empty" in message and "backup" in message and "records.db" in message
    assert (db.exists() and db.stat().st_size == 0) if how == "emptied" else not db.exists()
    assert sorted(p.name for p in data_dir.iterdir()) == sorted(
        ["records.key"] + (["records.db"] if how == "emptied" else []))


def test_missing_database_gives_the_practitioner_a_plain_message(tmp_path: Path) -> None:
    from cse_desktop.records import Role
    from cse_desktop.services.errors import StoreError
    from cse_desktop.services.session import first_run, unlock

    data_dir = tmp_path / "data"
    first_run(data_dir, PASSPHRASE, name="Kit Worker", role=Role.OUTREACH_WORKER,
              kdf=KdfParams.fast_for_tests()).lock()
    Store.db_path(data_dir).unlink()
    with pytest.raises(StoreError, match="Put the records file back"):
        unlock(data_dir, PASSPHRASE)
    with pytest.raises(StoreError):  # and setting up again is refused too
        first_run(data_dir, PASSPHRASE, name="Kit Worker", role=Role.OUTREACH_WORKER,
                  kdf=KdfParams.fast_for_tests())


def _forge_params(data_dir: Path, n: int, r: int = 8, p: int = 1) -> None:
    """Rewrite the passphrase slot with other scrypt settings, as an old or buggy version (or
    someone editing the file) would: the passphrase still opens it."""
    import base64
    import secrets

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from cse_desktop.crypto.keyfile import _AAD_PASSPHRASE, derive_passphrase_key

    key_file = Store.key_file(data_dir)
    data_key = key_file.unwrap(PASSPHRASE)
    content = json.loads(key_file.path.read_text())
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    wrapping = derive_passphrase_key(PASSPHRASE, salt, KdfParams(n=min(n, 2**14), r=min(r, 8), p=1))
    content["kdf"] = {"name": "scrypt", "n": n, "r": r, "p": p,
                      "salt": base64.b64encode(salt).decode()}
    slot = next(s for s in content["slots"] if s["type"] == "passphrase")
    slot["nonce"] = base64.b64encode(nonce).decode()
    slot["ciphertext"] = base64.b64encode(
        AESGCM(wrapping).encrypt(nonce, data_key, _AAD_PASSPHRASE)).decode()
    key_file.path.write_text(json.dumps(content))


def _kdf_of(data_dir: Path) -> dict:
    return json.loads(Store.key_file(data_dir).path.read_text())["kdf"]


def test_weak_key_stretching_is_upgraded_at_the_next_unlock(data_dir: Path) -> None:
    from cse_desktop.crypto.keyfile import KDF_FLOOR

    Store.create(data_dir, PASSPHRASE, kdf=FAST).lock()
    _forge_params(data_dir, n=2)
    assert _kdf_of(data_dir)["n"] == 2
    Store.unlock(data_dir, PASSPHRASE).lock()  # it opens once ...
    upgraded = _kdf_of(data_dir)
    assert upgraded["n"] == KdfParams().n and upgraded["n"] > KDF_FLOOR.n  # ... and is upgraded
    Store.unlock(data_dir, PASSPHRASE).lock()


def test_changing_the_passphrase_never_keeps_weak_settings(data_dir: Path) -> None:
    from cse_desktop.crypto.keyfile import KDF_FLOOR

    store = Store.create(data_dir, PASSPHRASE, kdf=FAST)
    _forge_params(data_dir, n=2)
    Store.key_file(data_dir).rewrap(store.data_key_for_rescue(), "another long passphrase")
    store.lock()
    assert _kdf_of(data_dir)["n"] >= KDF_FLOOR.n
    with pytest.raises(KeyFileError):  # and nothing below the floor is ever written
        KeyFile(data_dir / "other.key").create(PASSPHRASE, params=KdfParams(n=2))


@pytest.mark.parametrize(("n", "r", "p"), [(2**24, 8, 1), (2**14, 8, 64), (2**14, 1024, 1)])
def test_absurd_key_stretching_is_refused_at_once(data_dir: Path, n: int, r: int, p: int) -> None:
    import time

    Store.create(data_dir, PASSPHRASE, kdf=FAST).lock()
    _forge_params(data_dir, n=n, r=r, p=p)
    started = time.perf_counter()
    with pytest.raises(KeyFileError, match="far more memory or time"):
        Store.unlock(data_dir, PASSPHRASE)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("damage", [
    lambda c: c["kdf"].pop("salt"),
    lambda c: c["kdf"].update(salt="not base64 ***"),
    lambda c: c["kdf"].update(n="lots"),
    lambda c: c["kdf"].update(n=3000),
    lambda c: c.update(kdf="scrypt"),
    lambda c: c.pop("slots"),
    lambda c: c.update(slots=[]),
    lambda c: c["slots"][0].pop("nonce"),
    lambda c: c.update(failures={"count": "many"}),
])
def test_malformed_key_file_gives_a_clear_message(data_dir: Path, damage) -> None:
    Store.create(data_dir, PASSPHRASE, kdf=FAST).lock()
    path = Store.key_file(data_dir).path
    content = json.loads(path.read_text())
    damage(content)
    path.write_text(json.dumps(content))
    with pytest.raises(KeyFileError, match="damaged") as caught:
        Store.unlock(data_dir, PASSPHRASE)
    assert "backup" in str(caught.value)
