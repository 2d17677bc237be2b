"""Client rules that need no second device: pulled records never clobber pending local work,
network errors are retried with exponential backoff, unenrolled stores say so."""

from __future__ import annotations

from pathlib import Path

import pytest

from cse_desktop.crypto.keyfile import KdfParams
from cse_desktop.records import RecordType
from cse_desktop.store import Store
from cse_desktop.sync import NotEnrolled, Offline, Progress, SyncClient, SyncReport
from cse_desktop.sync.client import CURSOR_KEY
from cse_desktop.sync.transport import Transport
from tests.server.harness import PASSPHRASE, Service, enrol_device, free_port


def test_pulled_version_does_not_clobber_pending_local_change(
        shared_service: Service, tmp_path: Path) -> None:
    shared_service.user("clobber")
    a = enrol_device(shared_service, "clobber", tmp_path / "a")
    b = enrol_device(shared_service, "clobber", tmp_path / "b")
    child = a.child("Test Child Lima")
    note = a.add(RecordType.CASE_NOTE, {"summary": "One."}, child.id)
    a.sync()
    b.sync()
    a.store.update(note.id, {"summary": "Two, from A."}, a.actor)
    a.sync()
    b.store.update(note.id, {"summary": "Three, from B."}, b.actor)
    # Pull only (as if the push had failed): A's newer version must not replace B's work.
    b.client._pull_all(SyncReport(), lambda _p: None)
    assert b.store.get(note.id).data == {"summary": "Three, from B."}
    assert b.store.has_pending(note.id)
    a.close()
    b.close()


def test_network_errors_are_retried_with_exponential_backoff() -> None:
    delays: list[float] = []
    transport = Transport(f"http://127.0.0.1:{free_port()}", "token", retries=4,
                          backoff=0.5, sleep=delays.append)
    with pytest.raises(Offline) as caught:
        transport.pull(0, 10)
    assert "saved on this computer" in str(caught.value)
    assert len(delays) == 4
    # 0.5, 1, 2, 4 seconds, each with up to ±20 % jitter.
    for got, base in zip(delays, [0.5, 1, 2, 4], strict=True):
        assert base * 0.8 <= got <= base * 1.2


def test_unenrolled_store_says_how_to_enrol(tmp_path: Path) -> None:
    store = Store.create(tmp_path / "s", PASSPHRASE, kdf=KdfParams.fast_for_tests())
    with pytest.raises(NotEnrolled) as caught:
        SyncClient.from_store(store)
    assert "enrolment" in str(caught.value).lower() or "enrolled" in str(caught.value)
    store.lock()


def test_cursor_past_the_end_of_the_feed_starts_again(shared_service: Service,
                                                       tmp_path: Path) -> None:
    """E.g. the service was restored from a backup: the device fetches everything again."""
    shared_service.user("restored")
    device = enrol_device(shared_service, "restored", tmp_path / "d")
    child = device.child("Test Child Mike")
    device.sync()
    device.store.set_sync_state(CURSOR_KEY, 10**12)
    other = enrol_device(shared_service, "restored", tmp_path / "o")
    note = other.add(RecordType.CASE_NOTE, {"summary": "After the restore."}, child.id)
    other.sync()
    device.sync()
    assert device.store.get(note.id).data == {"summary": "After the restore."}
    assert device.store.get_sync_state(CURSOR_KEY) < 10**12
    device.close()
    other.close()


def test_progress_counts_n_of_m(shared_service: Service, tmp_path: Path) -> None:
    shared_service.user("progress")
    a = enrol_device(shared_service, "progress", tmp_path / "a")
    b = enrol_device(shared_service, "progress", tmp_path / "b", pull_limit=10)
    child = a.child("Test Child November")
    for n in range(29):
        a.add(RecordType.CASE_NOTE, {"summary": f"Note {n}"}, child.id)
    pushed: list[Progress] = []
    a.client.sync_once(pushed.append)
    pushes = [p for p in pushed if p.phase == "push"]
    assert pushes[0] == Progress("push", 0, 30) and pushes[-1] == Progress("push", 30, 30)
    pulled: list[Progress] = []
    b.client.sync_once(pulled.append)
    assert [(p.done, p.total) for p in pulled] == [(10, 30), (20, 30), (30, 30)]
    assert pulled[0].text == "Receiving records: 10 of 30"
    a.close()
    b.close()
