"""A revoked device is wiped at its next sync; unsynced work goes into a rescue bundle."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from cse_desktop.records import RecordType
from cse_desktop.server import admin
from cse_desktop.store import Store
from cse_desktop.sync import DeviceRevoked, open_bundle
from cse_desktop.sync.rescue import RescueError
from tests.server.harness import PASSPHRASE, Service, child_data, enrol_device


def revoke(service: Service, device_dir: Path, store: Store) -> None:
    device_id = store.get_meta("enrolment")["device_id"]
    admin.revoke_device(service.engine, device_id, "laptop reported lost")


def test_revoked_device_is_wiped_and_unsynced_work_rescued(
        shared_service: Service, tmp_path: Path) -> None:
    shared_service.user("lostlaptop")
    device = enrol_device(shared_service, "lostlaptop", tmp_path / "dev")
    child = device.child("Test Child Echo")
    device.sync()
    unsent = device.add(RecordType.CASE_NOTE, {"summary": "Written after the last sync."},
                        child.id)
    revoke(shared_service, device.data_dir, device.store)

    with pytest.raises(DeviceRevoked) as caught:
        device.sync()
    revoked = caught.value
    assert "laptop reported lost" in str(revoked)
    assert revoked.wiped and "removed" in str(revoked)
    assert not Store.exists(device.data_dir)
    assert not Store.db_path(device.data_dir).exists()
    assert not device.store.is_open
    assert revoked.rescue_path is not None and revoked.rescue_path.exists()
    assert b"Written after" not in revoked.rescue_path.read_bytes()  # encrypted

    contents = open_bundle(revoked.rescue_path, passphrase=PASSPHRASE)
    [change] = contents.changes
    assert change["record"]["id"] == unsent.id
    assert change["record"]["data"]["summary"] == "Written after the last sync."
    with pytest.raises(Exception):  # noqa: B017 - any wrong passphrase error
        open_bundle(revoked.rescue_path, passphrase="not the passphrase at all")


def test_revoked_device_with_nothing_unsynced_is_wiped_without_bundle(
        shared_service: Service, tmp_path: Path) -> None:
    shared_service.user("cleanlaptop")
    device = enrol_device(shared_service, "cleanlaptop", tmp_path / "dev")
    device.child("Test Child Foxtrot")
    device.sync()
    revoke(shared_service, device.data_dir, device.store)
    with pytest.raises(DeviceRevoked) as caught:
        device.sync()
    assert caught.value.wiped and caught.value.rescue_path is None
    assert not Store.exists(device.data_dir)


def test_rescue_bundle_goes_to_the_organisation_recovery_key(
        tmp_path: Path, backend: str) -> None:
    recovery = X25519PrivateKey.generate()
    public_path = tmp_path / "recovery.pub.pem"
    public_path.write_bytes(recovery.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    service = Service(tmp_path / "server", backend)
    service.user("orgkey")
    service.start(CSE_SERVER_RECOVERY_PUBLIC_KEY=str(public_path))
    try:
        device = enrol_device(service, "orgkey", tmp_path / "dev")
        assert Store.key_file(device.data_dir).has_recovery_slot()
        device.child("Test Child Golf")  # never synced
        revoke(service, device.data_dir, device.store)
        with pytest.raises(DeviceRevoked) as caught:
            device.sync()
        path = caught.value.rescue_path
        assert path is not None
        with pytest.raises(RescueError):
            open_bundle(path, passphrase=PASSPHRASE)
        contents = open_bundle(path, recovery_private_key=recovery)
        assert contents.changes[0]["record"]["data"] == child_data("Test Child Golf")
    finally:
        service.close()


def test_rescue_bundle_keeps_both_sides_of_an_open_conflict(
        shared_service: Service, tmp_path: Path) -> None:
    shared_service.user("clashlaptop")
    device = enrol_device(shared_service, "clashlaptop", tmp_path / "dev")
    child = device.child("Test Child Foxtrot")
    note = device.add(RecordType.CASE_NOTE, {"summary": "Mine: seen at the park."}, child.id)
    device.sync()
    local = device.store.get(note.id)
    remote = local.with_changes(data={"summary": "Theirs: seen at the station."},
                                revision=local.revision + 1)
    device.store.add_conflict(("summary",), local, remote, None, changed_by="Other Worker")
    revoke(shared_service, device.data_dir, device.store)

    with pytest.raises(DeviceRevoked) as caught:
        device.sync()
    contents = open_bundle(caught.value.rescue_path, passphrase=PASSPHRASE)
    [conflict] = contents.conflicts
    assert conflict["record_id"] == note.id and conflict["fields"] == ["summary"]
    assert conflict["local"]["data"]["summary"] == "Mine: seen at the park."
    assert conflict["remote"]["data"]["summary"] == "Theirs: seen at the station."
